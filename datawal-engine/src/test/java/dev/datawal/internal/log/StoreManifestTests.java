package dev.datawal.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.CorruptionKind;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class StoreManifestTests {
  private static StoreManifest.Shape shape(long n) {
    return new StoreManifest.Shape(1000 + n, 10 + n, 100 + n, 200 + n, 300 + n, (int) (400 + n));
  }

  private static StoreManifest manifest(
      long floor, StoreManifest.Active active, List<StoreManifest.Sealed> sealed) {
    SortedMap<Long, StoreManifest.Sealed> byId = new TreeMap<>();
    for (StoreManifest.Sealed s : sealed) {
      byId.put(s.id(), s);
    }
    return new StoreManifest(false, floor, active, byId, List.of());
  }

  /** Every manifest differs from the first in one field of what sameShape compares. */
  private static List<StoreManifest> variants() {
    StoreManifest.Active active = new StoreManifest.Active(5, shape(5));
    List<StoreManifest.Sealed> sealed =
        List.of(
            new StoreManifest.Sealed(1, shape(1)),
            new StoreManifest.Sealed(2, shape(2), shape(7), false));
    List<StoreManifest> all = new ArrayList<>();
    all.add(manifest(9, active, sealed));
    all.add(manifest(10, active, sealed));
    all.add(manifest(9, new StoreManifest.Active(6, shape(5)), sealed));
    StoreManifest.Shape s = shape(5);
    long[][] changes = {
      {1, 0, 0, 0, 0, 0}, {0, 1, 0, 0, 0, 0}, {0, 0, 1, 0, 0, 0},
      {0, 0, 0, 1, 0, 0}, {0, 0, 0, 0, 1, 0}, {0, 0, 0, 0, 0, 1}
    };
    for (long[] c : changes) {
      StoreManifest.Shape other =
          new StoreManifest.Shape(
              s.length() + c[0],
              s.records() + c[1],
              s.firstTxid() + c[2],
              s.lastTxid() + c[3],
              s.digest() + c[4],
              s.tailCrc() + (int) c[5]);
      all.add(manifest(9, new StoreManifest.Active(5, other), sealed));
      all.add(manifest(9, active, List.of(new StoreManifest.Sealed(1, other), sealed.get(1))));
      all.add(
          manifest(
              9,
              active,
              List.of(sealed.get(0), new StoreManifest.Sealed(2, shape(2), other, false))));
    }
    all.add(manifest(9, active, List.of(sealed.get(0))));
    all.add(manifest(9, active, List.of(sealed.get(0), new StoreManifest.Sealed(2, shape(2)))));
    all.add(
        manifest(
            9,
            active,
            List.of(sealed.get(0), new StoreManifest.Sealed(2, shape(2), shape(7), true))));
    all.add(manifest(9, active, List.of(new StoreManifest.Sealed(3, shape(1)), sealed.get(1))));
    all.add(
        manifest(9, active, sealed)
            .withDamage(List.of(new StoreManifest.Damage(1, 40, CorruptionKind.CRC_MISMATCH))));
    return all;
  }

  @Test
  void sameShapeComparesWhatTheRecordsEqualsCompares() {
    List<StoreManifest> all = variants();
    for (StoreManifest a : all) {
      for (StoreManifest b : all) {
        boolean recordsEqual =
            a.txidFloor() == b.txidFloor()
                && a.active().equals(b.active())
                && a.sealed().equals(b.sealed())
                && a.damage().equals(b.damage());
        assertThat(a.sameShape(b)).as("%s vs %s", a, b).isEqualTo(recordsEqual);
      }
    }
    // the clean flag is not part of the shape
    StoreManifest first = all.get(0);
    assertThat(first.with(true, first.txidFloor(), first.active(), first.sealed()).sameShape(first))
        .isTrue();
    assertThat(all.get(1).sameShape(all.get(0))).isFalse();
  }
}
