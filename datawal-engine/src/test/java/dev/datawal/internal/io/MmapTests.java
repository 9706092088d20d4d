package dev.datawal.internal.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.datawal.testing.ProcessMappings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real file system maps read-only, and a released view is unmapped where the runtime can. */
class MmapTests {
  @TempDir Path tmp;

  @Test
  void aReleasedViewIsUnmapped() throws IOException {
    Path file = tmp.toRealPath().resolve("mapped.bin");
    byte[] bytes = new byte[3 * 4096];
    bytes[5000] = 42;
    Files.write(file, bytes);
    MappedView view;
    try (FileHandle handle = FileIo.system().openRead(file)) {
      view = handle.map(4096, 8192);
    }
    assertThat(view.buffer().isReadOnly()).isTrue();
    assertThat(view.buffer().capacity()).isEqualTo(8192);
    assertThat(view.buffer().get(5000 - 4096)).isEqualTo((byte) 42); // the handle is closed
    boolean countable = ProcessMappings.listable();
    if (countable) {
      assertThat(ProcessMappings.of(file)).isEqualTo(1);
    }
    view.release();
    assumeTrue(ProcessMappings.unmappingVisible(), "cannot see or cannot unmap here");
    assertThat(ProcessMappings.of(file)).isZero();
  }

  @Test
  void invokeCleanerIsNeverUsedWhereItIsDeprecatedForRemoval() throws Exception {
    if (Runtime.version().feature() >= 23) {
      assertThatThrownBy(CleanerMapper::create)
          .isInstanceOf(NoSuchMethodException.class)
          .hasMessageContaining("deprecated for removal");
    } else {
      assertThat(CleanerMapper.create()).isNotNull();
    }
  }

  @Test
  void theForeignArenaIsUsedFromJava22() throws Exception {
    if (Runtime.version().feature() >= 22) {
      assertThat(ArenaMapper.create()).isNotNull();
      assertThat(Mmap.unmapsExplicitly()).isTrue();
    } else {
      assertThatThrownBy(ArenaMapper::create).isInstanceOf(ClassNotFoundException.class);
    }
  }
}
