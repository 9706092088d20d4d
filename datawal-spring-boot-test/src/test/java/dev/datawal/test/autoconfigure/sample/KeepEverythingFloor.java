package dev.datawal.test.autoconfigure.sample;

import dev.datawal.spring.RetentionFloor;
import java.util.OptionalLong;
import org.springframework.stereotype.Component;

/** A reader that keeps every record from retention: a datawal component a slice includes. */
@Component
public class KeepEverythingFloor implements RetentionFloor {
  @Override
  public OptionalLong keepFromTxid() {
    return OptionalLong.of(1);
  }
}
