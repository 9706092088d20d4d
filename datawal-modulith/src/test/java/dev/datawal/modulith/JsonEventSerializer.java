package dev.datawal.modulith;

import org.springframework.modulith.events.core.EventSerializer;
import tools.jackson.databind.json.JsonMapper;

/** Events as JSON, as Modulith's Jackson serializer writes them (its class is not public). */
final class JsonEventSerializer implements EventSerializer {
  private final JsonMapper mapper = JsonMapper.builder().build();

  @Override
  public Object serialize(Object event) {
    return mapper.writeValueAsString(event);
  }

  @Override
  public <T> T deserialize(Object serialized, Class<T> type) {
    return mapper.readValue(serialized.toString(), type);
  }
}
