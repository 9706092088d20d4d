package dev.datawal.test.autoconfigure.sample;

/** A value the application stores as JSON. */
public record Greeting(String text) {}
