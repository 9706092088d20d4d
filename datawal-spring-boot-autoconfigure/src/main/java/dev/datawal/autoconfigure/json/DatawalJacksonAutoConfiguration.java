package dev.datawal.autoconfigure.json;

import dev.datawal.DataWal;
import dev.datawal.RecordLog;
import dev.datawal.spring.json.JsonEventLog;
import dev.datawal.spring.json.JsonKeyValueStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.json.JsonMapper;

/**
 * Typed Jackson facades over the datawal store bean: a {@link JsonEventLog} when there is a {@link
 * RecordLog} bean, a {@link JsonKeyValueStore} when there is a {@link DataWal} bean. Both use the
 * application's {@link JsonMapper} bean if it has one, else a default mapper. A user's own facade
 * bean wins.
 */
@AutoConfiguration(
    afterName = {
      "dev.datawal.autoconfigure.DatawalAutoConfiguration",
      "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration"
    })
@ConditionalOnClass({JsonMapper.class, RecordLog.class})
@ConditionalOnBooleanProperty(name = "datawal.enabled", matchIfMissing = true)
public final class DatawalJacksonAutoConfiguration {

  /**
   * The typed event log. Its {@code close()} (inferred destroy method) stops its subscriptions;
   * Spring destroys it before the {@link RecordLog} it depends on.
   */
  @Bean
  @ConditionalOnSingleCandidate(RecordLog.class)
  @ConditionalOnMissingBean
  JsonEventLog datawalJsonEventLog(RecordLog log, ObjectProvider<JsonMapper> mapper) {
    return new JsonEventLog(log, mapperOrDefault(mapper));
  }

  /** The typed key/value store. */
  @Bean
  @ConditionalOnSingleCandidate(DataWal.class)
  @ConditionalOnMissingBean
  JsonKeyValueStore datawalJsonKeyValueStore(DataWal store, ObjectProvider<JsonMapper> mapper) {
    return new JsonKeyValueStore(store, mapperOrDefault(mapper));
  }

  private static JsonMapper mapperOrDefault(ObjectProvider<JsonMapper> mapper) {
    return mapper.getIfAvailable(() -> JsonMapper.builder().build());
  }
}
