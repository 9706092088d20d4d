package dev.datawal.sample;

import dev.datawal.test.autoconfigure.AutoConfigureDatawal;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * The sample app on a random port, with a fresh temporary store per test context (datawal's test
 * support) and its event log beside the store in the same temporary directory.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(
    webEnvironment = WebEnvironment.RANDOM_PORT,
    properties = "sample.events-dir=${datawal.test.dir}/events")
@AutoConfigureDatawal
@interface SampleAppTest {}
