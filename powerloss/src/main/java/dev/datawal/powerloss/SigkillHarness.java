package dev.datawal.powerloss;

/**
 * The SIGKILL harness: {@link CutHarness} rounds whose cut is a SIGKILL of the app alone.
 *
 * <pre>
 * java -cp powerloss.jar:engine.jar dev.datawal.powerloss.SigkillHarness &lt;work dir&gt; &lt;rounds&gt; &lt;seed&gt; \
 *     -- java -jar sample-app-&lt;version&gt;-exec.jar
 * </pre>
 *
 * <p>What SIGKILL covers: the process dies between any two instructions, with writes half-issued,
 * fsyncs in progress and group-commit batches waiting; the kernel keeps every byte already written
 * to the page cache. It does not lose unsynced data the way a power cut does.
 */
public final class SigkillHarness {
  private SigkillHarness() {}

  public static void main(String[] args) throws Exception {
    System.exit(CutHarness.main("SigkillHarness", Fault.SIGKILL, args));
  }
}
