package dev.datawal.internal.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gate releases exactly once, never while a reader is inside, and refuses readers once shut.
 */
class ReaderGateTests {
  private final AtomicInteger releases = new AtomicInteger();
  private final ReaderGate gate = new ReaderGate(releases::incrementAndGet);

  @Test
  void shuttingAnEmptyGateReleasesAtOnceAndRefusesLaterReaders() {
    assertThat(gate.tryEnter()).isTrue();
    gate.exit();
    gate.shut();
    assertThat(releases).hasValue(1);
    assertThat(gate.tryEnter()).isFalse();
    gate.shut();
    gate.close();
    assertThat(releases).hasValue(1);
  }

  @Test
  void theLastReaderOutOfAShutGateReleasesIt() {
    assertThat(gate.tryEnter()).isTrue();
    assertThat(gate.tryEnter()).isTrue();
    gate.shut();
    assertThat(gate.isShut()).isTrue();
    assertThat(gate.tryEnter()).isFalse();
    gate.exit();
    assertThat(releases).hasValue(0); // one reader is still inside
    gate.exit();
    assertThat(releases).hasValue(1);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void closeWaitsForTheReadersInside() throws Exception {
    assertThat(gate.tryEnter()).isTrue();
    CompletableFuture<Void> closing = CompletableFuture.runAsync(gate::close);
    while (!gate.isShut()) {
      Thread.onSpinWait(); // until close has shut the gate
    }
    assertThat(closing).isNotDone();
    assertThat(releases).hasValue(0);
    gate.exit();
    closing.get(30, TimeUnit.SECONDS);
    assertThat(releases).hasValue(1);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void readersRacingShutNeverSeeTheReleaseAndItHappensOnce() throws Exception {
    for (int round = 0; round < 200; round++) {
      AtomicInteger released = new AtomicInteger();
      AtomicInteger insideAfterRelease = new AtomicInteger();
      ReaderGate racing = new ReaderGate(released::incrementAndGet);
      Runnable reader =
          () -> {
            for (int i = 0; i < 2_000; i++) {
              if (racing.tryEnter()) {
                if (released.get() != 0) {
                  insideAfterRelease.incrementAndGet();
                }
                racing.exit();
              }
            }
          };
      CompletableFuture<Void> a = CompletableFuture.runAsync(reader);
      CompletableFuture<Void> b = CompletableFuture.runAsync(reader);
      racing.close();
      a.get(30, TimeUnit.SECONDS);
      b.get(30, TimeUnit.SECONDS);
      assertThat(released).as("round %d", round).hasValue(1);
      assertThat(insideAfterRelease).as("round %d", round).hasValue(0);
    }
  }
}
