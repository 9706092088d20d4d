package dev.datawal.sample;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * What the sample needs of its web server (Tomcat) that has no Spring Boot property: {@code %2F} in
 * a path is passed to the application as it is, so that {@code /kv/a%2Fb} names key {@code a/b}
 * (Tomcat's default refuses it with a 400 before the application sees the request). Spring still
 * matches mappings segment by segment, so an escaped slash never changes which mapping a request
 * reaches.
 */
@Component
class WebServerSettings implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

  @Override
  public void customize(TomcatServletWebServerFactory factory) {
    factory.addConnectorCustomizers(
        connector -> connector.setEncodedSolidusHandling("passthrough"));
  }
}
