package dev.datawal.sample.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The generator matches the reference: the PRNG, the op mix, and the seed-42 check figures. */
class WorkloadOpTests {

  /** Live and dead keys after running ops 0 to ops - 1 in order, by key hex. */
  static Map<String, Boolean> finalState(long seed, long ops) {
    Map<String, Boolean> live = new HashMap<>();
    for (long seq = 0; seq < ops; seq++) {
      WorkloadOp op = WorkloadOp.of(seed, seq, 16, 96);
      live.put(HexFormat.of().formatHex(op.key()), !op.delete());
    }
    return live;
  }

  @Test
  void nextIsStandardSplitMix64OfSeedPlusGamma() {
    // Standard SplitMix64 seeded with 0 first returns 0xE220A8397B1DCDAF: here that is seed -GAMMA.
    assertThat(new SplitMix64(-SplitMix64.GAMMA).next()).isEqualTo(0xE220A8397B1DCDAFL);
    assertThat(new SplitMix64(-SplitMix64.GAMMA).fill(3))
        .containsExactly((byte) 0xAF, (byte) 0xCD, (byte) 0x1D);
  }

  @Test
  void fillTakesLittleEndianWordsAndCutsTheLast() {
    SplitMix64 words = new SplitMix64(42);
    long a = words.next();
    long b = words.next();
    byte[] bytes = new SplitMix64(42).fill(11);
    for (int i = 0; i < 8; i++) {
      assertThat(bytes[i]).isEqualTo((byte) (a >>> (8 * i)));
    }
    for (int i = 0; i < 3; i++) {
      assertThat(bytes[8 + i]).isEqualTo((byte) (b >>> (8 * i)));
    }
  }

  @Test
  void everyTwentyThirdOpDeletesAndKeysRepeatEvery4096Ops() {
    assertThat(WorkloadOp.of(42, 22, 16, 96).delete()).isTrue();
    assertThat(WorkloadOp.of(42, 22, 16, 96).value()).isNull();
    assertThat(WorkloadOp.of(42, 21, 16, 96).value()).hasSize(96);
    assertThat(WorkloadOp.of(42, 5, 16, 96).key())
        .isEqualTo(WorkloadOp.of(42, 5 + 4096, 16, 96).key())
        .isNotEqualTo(WorkloadOp.of(42, 6, 16, 96).key());
    assertThat(WorkloadOp.of(42, 5, 16, 96).value())
        .isNotEqualTo(WorkloadOp.of(42, 5 + 4096, 16, 96).value());
  }

  @Test
  void seed42With50000OpsMatchesTheReferenceFigures() {
    long deletes = 0;
    for (long seq = 0; seq < 50_000; seq++) {
      deletes += WorkloadOp.isDelete(seq) ? 1 : 0;
    }
    Map<String, Boolean> state = finalState(42, 50_000);
    assertThat(50_000 - deletes).isEqualTo(47_827);
    assertThat(deletes).isEqualTo(2_173);
    assertThat(state).hasSize(4_096);
    assertThat(state.values().stream().filter(v -> v).count()).isEqualTo(3_918);
    assertThat(state.values().stream().filter(v -> !v).count()).isEqualTo(178);
  }
}
