package io.clustermode.spring.autoconfigure;

import io.clustermode.ClusterConfig;
import io.clustermode.NodeId;
import io.clustermode.discovery.DiscoveryService;
import io.clustermode.discovery.StaticDiscovery;
import io.clustermode.discovery.dns.DnsDiscovery;
import io.clustermode.discovery.dns.DnsDiscoveryConfig;
import io.clustermode.discovery.kubernetes.KubernetesDiscovery;
import io.clustermode.discovery.kubernetes.KubernetesDiscoveryConfig;
import org.springframework.util.ClassUtils;
import org.springframework.validation.Errors;

import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns {@link ClusterModeProperties} into the library's configuration: a {@link ClusterConfig}
 * builder and a {@link DiscoveryService}; and the library's refusals into messages that name the
 * properties. The DNS and Kubernetes back-ends are optional dependencies: their classes are only
 * touched when the property {@code cluster-mode.discovery} asks for them.
 */
final class ClusterConfigFactory {

    static final String DNS_CLASS = "io.clustermode.discovery.dns.DnsDiscovery";
    static final String KUBERNETES_CLASS = "io.clustermode.discovery.kubernetes.KubernetesDiscovery";

    /** ClusterConfig's option names (as its messages spell them) and the properties that set them. */
    private static final Map<String, String> OPTIONS = new LinkedHashMap<>();
    /** The command line's flags (as the discovery configurations' messages spell them) and the properties. */
    private static final Map<String, String> FLAGS = new LinkedHashMap<>();

    static {
        for (String option : List.of("clusterName", "nodeId", "bind", "advertise", "seeds", "minNodes", "maxNodes",
                "voters", "heartbeatInterval", "electionTimeout", "updateInterval", "connectionTimeout",
                "removalGrace", "clusterSecretFile", "insecure")) {
            OPTIONS.put(option, "cluster-mode." + kebab(option));
        }
        OPTIONS.put("tlsCert", "cluster-mode.tls.cert");
        OPTIONS.put("tlsKey", "cluster-mode.tls.key");
        OPTIONS.put("tlsCa", "cluster-mode.tls.ca");
        OPTIONS.put("portName", "cluster-mode.kubernetes.port-name");
        OPTIONS.put("healthCheckInterval", "cluster-mode.health.check-interval");
        OPTIONS.put("healthRecovery", "cluster-mode.health.recovery");
        FLAGS.put("--dns-name", "cluster-mode.dns.name");
        FLAGS.put("--dns-srv", "cluster-mode.dns.srv");
        FLAGS.put("--dns-server", "cluster-mode.dns.server");
        FLAGS.put("--dns-port", "cluster-mode.dns.port");
        FLAGS.put("--dns-record-types", "cluster-mode.dns.record-types");
        FLAGS.put("--k8s-service", "cluster-mode.kubernetes.service");
        FLAGS.put("--k8s-namespace", "cluster-mode.kubernetes.namespace");
        FLAGS.put("--k8s-port-name", "cluster-mode.kubernetes.port-name");
    }

    private static final Pattern PROPERTY = Pattern.compile("cluster-mode\\.[a-z.-]*[a-z]");
    /** {@code name (--dns-name)}: a record component and its flag, as the discovery configurations say it. */
    private static final Pattern COMPONENT_AND_FLAG = Pattern.compile("\\b[A-Za-z]+ \\((--[a-z0-9-]+)\\)");

    private ClusterConfigFactory() {
    }

    /** A refused value: the property's field path (null when none applies) and a message naming the property. */
    record Problem(String field, String message) {

        /** Tells {@code errors}, on the field when there is one. */
        void reportTo(Errors errors) {
            if (field != null) {
                errors.rejectValue(field, "cluster-mode.invalid", message);
            } else {
                errors.reject("cluster-mode.invalid", message);
            }
        }

        /** The problem of a library message, its names replaced by the properties'. */
        static Problem of(String libraryMessage) {
            String message = properties(libraryMessage);
            Matcher first = PROPERTY.matcher(message);
            return new Problem(first.find() ? fieldOf(first.group()) : null, message);
        }
    }

    // ------------------------------------------------------------------ checking

    /** The first value the library would refuse, or empty when it would take them all. */
    static Optional<Problem> problem(ClusterModeProperties properties, ClassLoader classLoader) {
        if (properties.getNodeId() != null) {
            try {
                NodeId.of(properties.getNodeId());
            } catch (IllegalArgumentException e) {
                return Optional.of(new Problem("nodeId", "cluster-mode.node-id must be 1 to " + NodeId.MAX_LENGTH
                        + " characters, not blank, was '" + properties.getNodeId() + "'"));
            }
        }
        Optional<Problem> discovery = discoveryProblem(properties, classLoader);
        if (discovery.isPresent()) {
            return discovery;
        }
        try {
            builder(properties).build();
        } catch (IllegalArgumentException e) {
            return Optional.of(Problem.of(e.getMessage()));
        }
        return Optional.empty();
    }

    private static Optional<Problem> discoveryProblem(ClusterModeProperties properties, ClassLoader classLoader) {
        ClusterModeProperties.Discovery kind = properties.getDiscovery();
        boolean seeds = !seeds(properties).isEmpty();
        boolean dns = properties.getDns().getName() != null;
        boolean kubernetes = properties.getKubernetes().getService() != null;
        if (kind == null) {
            return Optional.of(new Problem("discovery", "cluster-mode.discovery must be static, dns or kubernetes"));
        }
        switch (kind) {
            case STATIC:
                if (dns || kubernetes) {
                    return Optional.of(new Problem("discovery", "cluster-mode.dns.name and cluster-mode.kubernetes"
                            + ".service need cluster-mode.discovery=dns or kubernetes (it is static)"));
                }
                return Optional.empty();
            case DNS:
                if (seeds || kubernetes) {
                    return Optional.of(new Problem("discovery", "cluster-mode.seeds and cluster-mode.kubernetes.service"
                            + " do not go with cluster-mode.discovery=dns"));
                }
                if (!dns) {
                    return Optional.of(new Problem("dns.name", "cluster-mode.discovery=dns needs cluster-mode.dns.name"));
                }
                if (!ClassUtils.isPresent(DNS_CLASS, classLoader)) {
                    return Optional.of(new Problem("discovery", "cluster-mode.discovery=dns needs the module "
                            + "io.clustermode:cluster-mode-discovery-dns on the class path (the starter brings it)"));
                }
                if (!positive(properties.getDns().getTimeout())) {
                    return Optional.of(new Problem("dns.timeout", "cluster-mode.dns.timeout must be positive, was "
                            + properties.getDns().getTimeout()));
                }
                return check(() -> Dns.config(properties));
            case KUBERNETES:
                if (seeds || dns) {
                    return Optional.of(new Problem("discovery", "cluster-mode.seeds and cluster-mode.dns.name do not"
                            + " go with cluster-mode.discovery=kubernetes"));
                }
                if (!kubernetes) {
                    return Optional.of(new Problem("kubernetes.service",
                            "cluster-mode.discovery=kubernetes needs cluster-mode.kubernetes.service"));
                }
                if (!ClassUtils.isPresent(KUBERNETES_CLASS, classLoader)) {
                    return Optional.of(new Problem("discovery", "cluster-mode.discovery=kubernetes needs the module "
                            + "io.clustermode:cluster-mode-discovery-kubernetes on the class path (the starter brings"
                            + " it)"));
                }
                Duration resync = properties.getKubernetes().getResyncPeriod();
                if (resync == null || resync.isNegative()) {
                    return Optional.of(new Problem("kubernetes.resyncPeriod",
                            "cluster-mode.kubernetes.resync-period must be zero or positive, was " + resync));
                }
                return check(() -> Kubernetes.config(properties));
            default:
                throw new IllegalStateException("unknown discovery " + kind);
        }
    }

    private static Optional<Problem> check(Runnable construction) {
        try {
            construction.run();
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(Problem.of(e.getMessage()));
        }
    }

    private static boolean positive(Duration duration) {
        return duration != null && !duration.isZero() && !duration.isNegative();
    }

    // ------------------------------------------------------------------ building

    /**
     * A builder with every option of the properties set, static discovery over the seeds; the
     * caller sets the discovery, transport and observer it has.
     */
    static ClusterConfig.Builder builder(ClusterModeProperties properties) {
        ClusterConfig.Builder builder = ClusterConfig.builder()
                .clusterName(properties.getClusterName())
                .bind(properties.getBind())
                .minNodes(properties.getMinNodes())
                .maxNodes(properties.getMaxNodes())
                .voters(properties.getVoters())
                .heartbeatInterval(properties.getHeartbeatInterval())
                .electionTimeout(properties.getElectionTimeout())
                .updateInterval(properties.getUpdateInterval())
                .connectionTimeout(properties.getConnectionTimeout())
                .healthCheckInterval(properties.getHealth().getCheckInterval())
                .healthRecovery(properties.getHealth().getRecovery())
                .insecure(properties.isInsecure())
                .seeds(properties.getDiscovery() == ClusterModeProperties.Discovery.STATIC ? seeds(properties)
                        : List.of());
        if (properties.getNodeId() != null) {
            builder.nodeId(NodeId.of(properties.getNodeId()));
        }
        if (properties.getAdvertise() != null) {
            builder.advertise(properties.getAdvertise());
        }
        if (properties.getDataDir() != null) {
            builder.dataDir(properties.getDataDir());
        }
        if (properties.getRemovalGrace() != null) {
            builder.removalGrace(properties.getRemovalGrace());
        }
        ClusterModeProperties.Tls tls = properties.getTls();
        if (tls.getCert() != null || tls.getKey() != null || tls.getCa() != null) {
            builder.tls(tls.getCert(), tls.getKey(), tls.getCa());
        }
        if (properties.getClusterSecretFile() != null) {
            builder.clusterSecretFile(properties.getClusterSecretFile());
        }
        if (properties.getDiscovery() == ClusterModeProperties.Discovery.KUBERNETES) {
            builder.portName(properties.getKubernetes().getPortName());
        }
        return builder;
    }

    /** The discovery the properties name, ready to use; the cluster closes it when it closes. */
    static DiscoveryService discovery(ClusterModeProperties properties) {
        switch (properties.getDiscovery()) {
            case DNS:
                return Dns.create(properties);
            case KUBERNETES:
                return Kubernetes.create(properties);
            default:
                return new StaticDiscovery(properties.getClusterName(), seeds(properties));
        }
    }

    /** The seeds, trimmed, without empty ones (a trailing comma is no seed). */
    static List<String> seeds(ClusterModeProperties properties) {
        List<String> seeds = properties.getSeeds();
        return seeds == null ? List.of() : seeds.stream().map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toList());
    }

    /** DNS discovery; a class of its own so that its types load only when it is asked for. */
    static final class Dns {
        static DnsDiscoveryConfig config(ClusterModeProperties properties) {
            ClusterModeProperties.Dns dns = properties.getDns();
            DnsDiscoveryConfig config = dns.isSrv() ? DnsDiscoveryConfig.srv(dns.getName())
                    : DnsDiscoveryConfig.addresses(dns.getName()).withPort(dns.getPort());
            Set<DnsDiscoveryConfig.RecordType> types = EnumSet.noneOf(DnsDiscoveryConfig.RecordType.class);
            if (dns.getRecordTypes() != null) {
                dns.getRecordTypes().forEach(type -> types.add(DnsDiscoveryConfig.RecordType.valueOf(type.name())));
            }
            return config.withRecordTypes(types).withServer(dns.getServer()).withTimeout(dns.getTimeout());
        }

        static DiscoveryService create(ClusterModeProperties properties) {
            return new DnsDiscovery(config(properties));
        }
    }

    /** Kubernetes discovery; a class of its own so that its types (and fabric8's) load only when asked for. */
    static final class Kubernetes {
        static KubernetesDiscoveryConfig config(ClusterModeProperties properties) {
            ClusterModeProperties.Kubernetes kubernetes = properties.getKubernetes();
            return KubernetesDiscoveryConfig.of(kubernetes.getService()).withNamespace(kubernetes.getNamespace())
                    .withPortName(kubernetes.getPortName()).withResyncPeriod(kubernetes.getResyncPeriod());
        }

        static DiscoveryService create(ClusterModeProperties properties) {
            return new KubernetesDiscovery(config(properties));
        }
    }

    // ------------------------------------------------------------------ names

    /** {@code libraryMessage} with the library's option names and command-line flags replaced by properties. */
    static String properties(String libraryMessage) {
        String message = libraryMessage == null ? "invalid value" : libraryMessage;
        Matcher pair = COMPONENT_AND_FLAG.matcher(message);
        StringBuilder out = new StringBuilder();
        while (pair.find()) {
            String property = FLAGS.get(pair.group(1));
            pair.appendReplacement(out, Matcher.quoteReplacement(property != null ? property : pair.group()));
        }
        pair.appendTail(out);
        message = out.toString();
        for (Map.Entry<String, String> flag : FLAGS.entrySet()) {
            message = message.replace(flag.getKey(), flag.getValue());
        }
        for (Map.Entry<String, String> option : OPTIONS.entrySet()) {
            message = message.replaceAll("(?<![\\w.-])" + option.getKey() + "\\b", option.getValue());
        }
        return message;
    }

    /** {@code cluster-mode.dns.record-types} → {@code dns.recordTypes}, the field path of the properties. */
    static String fieldOf(String property) {
        String path = property.substring("cluster-mode.".length());
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : path.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
