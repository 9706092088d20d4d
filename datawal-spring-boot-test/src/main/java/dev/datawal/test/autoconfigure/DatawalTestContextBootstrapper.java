package dev.datawal.test.autoconfigure;

import org.springframework.boot.test.autoconfigure.TestSliceTestContextBootstrapper;

/** Bootstraps {@link DatawalTest}'s contexts; its {@code properties} are the test's properties. */
final class DatawalTestContextBootstrapper extends TestSliceTestContextBootstrapper<DatawalTest> {}
