package io.clustermode.spring.actuate;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * {@link ClusterEndpoint} over HTTP: {@code POST /actuator/cluster} answers with the status of
 * its {@link ClusterEndpoint.TransferResult.Outcome} (200, 400, 409, 503, 504).
 */
@EndpointWebExtension(endpoint = ClusterEndpoint.class)
public class ClusterEndpointWebExtension {

    private final ClusterEndpoint endpoint;

    /** @param endpoint the endpoint this extends */
    public ClusterEndpointWebExtension(ClusterEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * As {@link ClusterEndpoint#transferPrimacy}, with the outcome's HTTP status.
     *
     * @param to the voter to hand to; null for the best secondary
     * @return the result, and its status
     */
    @WriteOperation
    public WebEndpointResponse<ClusterEndpoint.TransferResult> transferPrimacy(@Nullable String to) {
        ClusterEndpoint.TransferResult result = endpoint.transferPrimacy(to);
        return new WebEndpointResponse<>(result, result.outcome().status());
    }
}
