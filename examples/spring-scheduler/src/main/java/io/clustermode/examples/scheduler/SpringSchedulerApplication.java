package io.clustermode.examples.scheduler;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * A Spring Boot application that is a cluster-mode member through the starter. Its one job,
 * {@link RunsJob}, runs every 100 ms on the primary only. Run three:
 *
 * <pre>
 * java -jar target/spring-scheduler.jar --server.port=8081 --cluster-mode.node-id=n1 \
 *     --cluster-mode.bind=127.0.0.1:7601 \
 *     --cluster-mode.seeds=127.0.0.1:7601,127.0.0.1:7602,127.0.0.1:7603 \
 *     --cluster-mode.data-dir=/tmp/scheduler/n1 --example.runs-file=/tmp/scheduler/runs.txt
 * </pre>
 *
 * (and n2, n3 alike), then watch {@code runs.txt}, {@code GET /actuator/cluster} and
 * {@code GET /actuator/health}, and kill the primary.
 */
@SpringBootApplication
@EnableScheduling
public class SpringSchedulerApplication {

    /** Starts the application. */
    public static void main(String[] args) {
        SpringApplication.run(SpringSchedulerApplication.class, args);
    }
}
