/**
 * Kubernetes discovery for cluster-mode: the ready endpoints of a Service, from watched
 * EndpointSlices (Endpoints as a fallback), read with the fabric8 client.
 *
 * <p>fabric8 7.4 names no Java modules, so the three {@code kubernetes.*} modules below are the
 * names Java derives from its jar files: fine for an application on the module path, but they
 * change if fabric8 ever names its modules (Maven warns about such names, rightly).
 */
module io.clustermode.discovery.kubernetes {
    requires io.clustermode.core;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;
    requires kubernetes.client.api;
    requires kubernetes.model.core;
    requires kubernetes.model.discovery;

    exports io.clustermode.discovery.kubernetes;
}
