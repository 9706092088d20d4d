package dev.datawal.test.autoconfigure;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The application under test: a web application with Actuator, a datawal store (from the starter's
 * auto-configuration) and components of its own in {@code sample}.
 */
@SpringBootApplication
public class SampleApplication {}
