package dev.datawal.testapp;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A minimal web application with the datawal starter and Actuator, for tests over real HTTP. */
@SpringBootApplication
public class ActuatorTestApplication {}
