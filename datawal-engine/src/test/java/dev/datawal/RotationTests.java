package dev.datawal;

import static dev.datawal.TestFiles.payloads;
import static dev.datawal.TestFiles.segment;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Automatic rotation at the segment size limit, which the reference never does by itself. */
class RotationTests {
  @TempDir Path dir;

  private static DatawalOptions maxSegment(long bytes) {
    return DatawalOptions.builder().maxSegmentSize(bytes).build();
  }

  @Test
  void theWriterRotatesBeforeAnAppendWouldPassTheLimit() throws IOException {
    List<RecordRef> refs = new ArrayList<>();
    try (RecordLog log = RecordLog.open(dir, maxSegment(100))) {
      for (int i = 0; i < 7; i++) {
        refs.add(log.append(utf8("p" + i))); // 30-byte frames: three fit in 100 bytes
      }
    }
    assertThat(refs).extracting(RecordRef::segment).containsExactly(1L, 1L, 1L, 2L, 2L, 2L, 3L);
    assertThat(Files.size(segment(dir, 1))).isEqualTo(90);
    assertThat(Files.size(segment(dir, 2))).isEqualTo(90);
    try (RecordLog log = RecordLog.open(dir, maxSegment(100))) {
      assertThat(log.scan()).extracting(Record::txid).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
      assertThat(log.activeSegment()).isEqualTo(3);
      assertThat(log.recoveryReport().filesScanned()).isEqualTo(3);
    }
  }

  @Test
  void aFrameExactlyAtTheLimitStaysInTheSegment() throws IOException {
    try (RecordLog log = RecordLog.open(dir, maxSegment(60))) {
      assertThat(log.append(utf8("a")).segment()).isEqualTo(1); // 29 bytes
      assertThat(log.append(utf8("bc")).segment()).isEqualTo(1); // 30 bytes: 59 in all
      assertThat(log.append(new byte[0]).segment()).isEqualTo(2); // 28 more would pass 60
    }
    assertThat(Files.size(segment(dir, 1))).isEqualTo(59);
  }

  @Test
  void aFrameLargerThanTheLimitGetsASegmentOfItsOwn() throws IOException {
    try (RecordLog log = RecordLog.open(dir, maxSegment(100))) {
      assertThat(log.append(utf8("small")).segment()).isEqualTo(1);
      assertThat(log.append(new byte[500]).segment()).isEqualTo(2);
      assertThat(log.append(utf8("after")).segment()).isEqualTo(3);
      assertThat(log.append(new byte[500]).segment()).isEqualTo(4);
      assertThat(log.append(new byte[500]).segment()).isEqualTo(5);
    }
    assertThat(Files.size(segment(dir, 2))).isEqualTo(528);
    try (RecordLog log = RecordLog.open(dir)) {
      assertThat(log.scan()).hasSize(5);
    }
  }

  @Test
  void aStoreReopensWithAnotherLimit() {
    try (RecordLog log = RecordLog.open(dir, maxSegment(100))) {
      for (int i = 0; i < 4; i++) {
        log.append(utf8("p" + i));
      }
    }
    try (RecordLog log = RecordLog.open(dir, maxSegment(1000))) {
      assertThat(log.activeSegment()).isEqualTo(2);
      log.append(utf8("p4"));
      assertThat(payloads(log.scan())).containsExactly("p0", "p1", "p2", "p3", "p4");
    }
  }

  @Test
  void theLimitMustBePositive() {
    assertThatThrownBy(() -> DatawalOptions.builder().maxSegmentSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxSegmentSize");
    assertThat(DatawalOptions.defaults().maxSegmentSize()).isEqualTo(64L * 1024 * 1024);
  }
}
