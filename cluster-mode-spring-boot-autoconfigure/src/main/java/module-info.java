/**
 * The Spring Boot auto-configuration of cluster-mode: the {@code Cluster} bean and its
 * lifecycle, {@code @PrimaryOnly}, the primacy events ({@code io.clustermode.spring}), the
 * Actuator health indicator, info contributor, endpoint and meters
 * ({@code io.clustermode.spring.actuate}), and the auto-configuration classes with their
 * properties ({@code io.clustermode.spring.autoconfigure}). Spring reaches into all three by
 * reflection (bean definitions, property binding, endpoint operations), so they are open to
 * it. Spring Boot's own jars are automatic modules; Spring applications usually run on the
 * class path, where this descriptor changes nothing.
 */
module io.clustermode.spring.boot.autoconfigure {
    requires transitive io.clustermode.core;
    requires static io.clustermode.discovery.dns;
    requires static io.clustermode.discovery.kubernetes;
    requires org.slf4j;
    requires static org.jspecify;
    requires spring.aop;
    requires spring.beans;
    requires spring.context;
    requires micrometer.observation; // the observation registry of Spring's scheduled runs
    requires spring.core;
    requires spring.boot;
    requires spring.boot.autoconfigure;
    requires static spring.boot.actuator;
    requires static spring.boot.actuator.autoconfigure;
    requires static spring.boot.health;
    requires static micrometer.core;

    exports io.clustermode.spring;
    exports io.clustermode.spring.actuate;
    exports io.clustermode.spring.autoconfigure;

    opens io.clustermode.spring to spring.core, spring.beans, spring.context, spring.aop;
    opens io.clustermode.spring.actuate to spring.core, spring.beans, spring.context, spring.boot.actuator;
    opens io.clustermode.spring.autoconfigure to spring.core, spring.beans, spring.context, spring.boot;
}
