package dev.datawal.test.autoconfigure;

import org.springframework.boot.test.context.filter.annotation.StandardAnnotationCustomizableTypeExcludeFilter;

/**
 * Leaves out of a {@link DatawalTest}'s component scan every component but those its {@code
 * includeFilters} name and, unless {@code useDefaultFilters = false}, the default includes listed
 * in {@code META-INF/spring/dev.datawal.test.autoconfigure.DatawalTest.includes}.
 */
final class DatawalTypeExcludeFilter
    extends StandardAnnotationCustomizableTypeExcludeFilter<DatawalTest> {
  DatawalTypeExcludeFilter(Class<?> testClass) {
    super(testClass);
  }
}
