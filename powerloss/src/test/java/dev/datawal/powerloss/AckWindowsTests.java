package dev.datawal.powerloss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which oracle lines a replayed state owes and may reflect: owed up to the last {@code L} mark at
 * or before it, known up to the second mark after it (the first may have been labelled before an
 * op's "issued" line that a write before the mark depends on).
 */
class AckWindowsTests {
  @TempDir Path dir;

  private List<WriteLog.Entry> entries(WriteLogBuilder builder) throws IOException {
    try (WriteLog log = WriteLog.open(builder.save(dir.resolve("log")))) {
      return log.entries();
    }
  }

  @Test
  void aStateOwesTheLastMarkAtOrBeforeItAndMayReflectUpToTheSecondMarkAfterIt() throws IOException {
    byte[] block = new byte[512];
    List<WriteLog.Entry> entries =
        entries(
            WriteLogBuilder.withoutModel(512)
                .mark("mkfs") // 0: not an oracle mark
                .write(0, 1, block) // 1
                .flush() // 2
                .mark("L3") // 3
                .write(0, 2, block) // 4
                .flush() // 5
                .mark("L7") // 6
                .flush() // 7
                .mark("L7") // 8: the oracle did not grow
                .mark("L12")); // 9
    AckWindows windows = AckWindows.of(entries, 15);

    assertThat(windows.marks()).isEqualTo(4);
    assertThat(windows.at(2)).isEqualTo(new AckWindows.Window(0, 7)); // before any mark
    assertThat(windows.at(3)).isEqualTo(new AckWindows.Window(3, 7)); // the mark itself owes
    assertThat(windows.at(5)).isEqualTo(new AckWindows.Window(3, 7));
    assertThat(windows.at(6)).isEqualTo(new AckWindows.Window(7, 12));
    assertThat(windows.at(7)).isEqualTo(new AckWindows.Window(7, 12));
    assertThat(windows.at(8)).isEqualTo(new AckWindows.Window(7, 15)); // one mark after it
    assertThat(windows.at(9)).isEqualTo(new AckWindows.Window(12, 15)); // none after: the oracle
  }

  @Test
  void marksThatGoBackOrExceedTheOracleOrAreNotNumbersAreRefusedWithTheirEntry()
      throws IOException {
    List<WriteLog.Entry> backwards =
        entries(WriteLogBuilder.withoutModel(512).mark("L5").flush().mark("L4"));
    assertThatThrownBy(() -> AckWindows.of(backwards, 10))
        .hasMessageContaining("entry 2: mark L4 after L5");
    List<WriteLog.Entry> beyond = entries(WriteLogBuilder.withoutModel(512).mark("L11"));
    assertThatThrownBy(() -> AckWindows.of(beyond, 10))
        .hasMessageContaining("entry 0: mark L11")
        .hasMessageContaining("oracle of 10 lines: the oracle does not belong to this log");
    List<WriteLog.Entry> garbled = entries(WriteLogBuilder.withoutModel(512).mark("Lx"));
    assertThatThrownBy(() -> AckWindows.of(garbled, 10))
        .hasMessageContaining("entry 0: mark 'Lx' is not L<oracle lines>");
  }
}
