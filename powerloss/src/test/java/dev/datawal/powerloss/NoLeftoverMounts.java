package dev.datawal.powerloss;

import static org.assertj.core.api.Assertions.fail;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves a mount or a loop device under the harnesses' work directory
 * ({@link HarnessRun#workRoot()}), after removing them (lazy unmount, loop device detached): the
 * machine must not keep them, and {@code mvn clean} could not delete a directory still mounted.
 * Does nothing where loop devices cannot be made (not root, not Linux), so neither can be left.
 */
final class NoLeftoverMounts implements AfterAllCallback {
  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (!System.getProperty("os.name", "").startsWith("Linux")
        || !Commands.run("id", "-u").strip().equals("0")) {
      return;
    }
    LeftoverMounts leftovers = LeftoverMounts.under(HarnessRun.workRoot());
    if (!leftovers.isEmpty()) {
      String failures = leftovers.remove();
      fail(
          context.getDisplayName()
              + " left "
              + leftovers
              + "; removed them"
              + (failures.isEmpty() ? "" : ", except: " + failures));
    }
  }
}
