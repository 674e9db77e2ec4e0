/** DNS discovery for cluster-mode: A/AAAA or SRV records of a name, read with dnsjava. */
module io.clustermode.discovery.dns {
    requires io.clustermode.core;
    requires org.dnsjava;
    requires org.slf4j;

    exports io.clustermode.discovery.dns;
}
