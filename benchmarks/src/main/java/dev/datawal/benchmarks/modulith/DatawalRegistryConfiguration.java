package dev.datawal.benchmarks.modulith;

import org.springframework.context.annotation.Configuration;

/**
 * The datawal registry as an application gets it from the auto-configurations its starters bring
 * (listed in {@code
 * META-INF/spring/dev.datawal.benchmarks.modulith.DatawalRegistryAutoConfigurations.imports}): the
 * store ({@code datawal.*}), the {@code DatawalTemplate} and {@code DatawalTransactionManager},
 * datawal-modulith's repository, Boot's {@code JsonMapper}, Modulith's Jackson serializer (which
 * uses that mapper) and Modulith's registry. Only these, so the context holds nothing the registry
 * does not use.
 */
@Configuration(proxyBeanMethods = false)
@DatawalRegistryAutoConfigurations
class DatawalRegistryConfiguration {}
