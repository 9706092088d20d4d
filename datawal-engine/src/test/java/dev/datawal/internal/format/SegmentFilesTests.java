package dev.datawal.internal.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.DatawalException;
import dev.datawal.LimitExceededException;
import dev.datawal.internal.io.FileIo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference's Segments group: naming, listing, next id. */
class SegmentFilesTests {
  @TempDir Path dir;

  @Test
  void namesAreZeroPaddedToEightDigits() {
    assertThat(SegmentFiles.fileName(1)).isEqualTo("00000001.dwal");
    assertThat(SegmentFiles.fileName(12_345)).isEqualTo("00012345.dwal");
    assertThat(SegmentFiles.fileName(99_999_999)).isEqualTo("99999999.dwal");
  }

  @Test
  void parsingANameGivesBackItsId() {
    for (long id : new long[] {0, 1, 42, 1_000_000, SegmentFiles.MAX_ID}) {
      assertThat(SegmentFiles.parseId(SegmentFiles.fileName(id))).isEqualTo(id);
    }
  }

  @Test
  void otherNamesAreNotSegments() {
    for (String name :
        new String[] {
          "1.dwal",
          "000000001.dwal",
          "0000000a.dwal",
          "00000001.DWAL",
          "00000001.dwal.torn-at-5",
          "00000001.wal",
          "-0000001.dwal",
          ".lock",
          ""
        }) {
      assertThat(SegmentFiles.parseId(name)).as(name).isEqualTo(-1);
    }
  }

  @Test
  void listingReturnsSegmentIdsAscendingAndIgnoresOtherFiles() throws IOException {
    for (String name :
        new String[] {"00000005.dwal", "00000001.dwal", "00000002.dwal", "1.dwal", "notes.txt"}) {
      Files.createFile(dir.resolve(name));
    }
    assertThat(SegmentFiles.list(FileIo.system(), dir)).containsExactly(1L, 2L, 5L);
  }

  @Test
  void nextIdStartsAtOneAndFollowsTheHighest() {
    assertThat(SegmentFiles.nextId(0)).isEqualTo(1);
    assertThat(SegmentFiles.nextId(5)).isEqualTo(6); // segments [1, 2, 5]
    assertThatThrownBy(() -> SegmentFiles.nextId(SegmentFiles.MAX_ID))
        .isInstanceOf(LimitExceededException.class)
        .hasMessageContaining("exhausted");
  }

  @Test
  void aDirectoryWithASegmentNameIsAnError() throws IOException {
    Files.createDirectory(dir.resolve("00000003.dwal"));
    assertThatThrownBy(() -> SegmentFiles.list(FileIo.system(), dir))
        .isInstanceOf(DatawalException.class)
        .hasMessageContaining("00000003.dwal")
        .hasMessageContaining("not a regular file");
  }
}
