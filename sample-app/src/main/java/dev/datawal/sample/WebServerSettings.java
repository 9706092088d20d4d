package dev.datawal.sample;

import org.apache.catalina.Container;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * What the sample needs of its web server (Tomcat) that has no Spring Boot property.
 *
 * <ul>
 *   <li>{@code %2F} in a path is passed to the application as it is, so that {@code /kv/a%2Fb}
 *       names key {@code a/b} (Tomcat's default refuses it with a 400 before the application sees
 *       the request). Spring still matches mappings segment by segment, so an escaped slash never
 *       changes which mapping a request reaches.
 *   <li>{@code Expect: 100-continue} is answered only when the application reads the body, so a
 *       body refused by its declared length (413, see {@link Bodies}) is never sent (Tomcat's
 *       default invites every body as soon as the request arrives).
 *   <li>The errors Tomcat answers itself, before the application sees the request, are RFC 9457
 *       problems like every other error of the API ({@link ProblemReportValve}, in place of
 *       Tomcat's HTML error report, which Spring Boot installs on the host).
 * </ul>
 */
@Component
class WebServerSettings implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

  @Override
  public void customize(TomcatServletWebServerFactory factory) {
    factory.addConnectorCustomizers(
        connector -> {
          connector.setEncodedSolidusHandling("passthrough");
          if (connector.getProtocolHandler() instanceof AbstractHttp11Protocol<?> http) {
            http.setContinueResponseTiming("onRead");
          }
        });
    factory.addContextCustomizers(
        context -> {
          // Runs after Spring Boot's own customizer, which adds its ErrorReportValve to the host.
          Container host = context.getParent();
          for (Valve valve : host.getPipeline().getValves()) {
            if (valve instanceof ErrorReportValve && !(valve instanceof ProblemReportValve)) {
              host.getPipeline().removeValve(valve);
            }
          }
          host.getPipeline().addValve(new ProblemReportValve());
          if (host instanceof StandardHost standardHost) {
            // The host adds a valve of this class when it starts, unless it has one already.
            standardHost.setErrorReportValveClass(ProblemReportValve.class.getName());
          }
        });
  }
}
