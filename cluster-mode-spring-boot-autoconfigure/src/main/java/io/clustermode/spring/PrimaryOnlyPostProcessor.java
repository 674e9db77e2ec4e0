package io.clustermode.spring;

import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;

/**
 * Proxies every bean that has {@link PrimaryOnly @PrimaryOnly} methods, so that each call of
 * such a method runs only on the primary. Plain Spring AOP ({@code ProxyFactory}), no AspectJ.
 *
 * <p>Proxies are class-based unless {@code spring.aop.proxy-target-class=false} (as Spring
 * Boot's own advising post-processors do), so a bean that implements an interface keeps the
 * methods of its class visible to {@code @Scheduled} and {@code @EventListener}. This
 * post-processor runs just before Spring's {@code @Scheduled} and {@code @Async} processors
 * ({@link Ordered#LOWEST_PRECEDENCE} - 1), so a scheduled job is scheduled through the proxy;
 * on a bean that is proxied already (by {@code @Transactional}, say) its check is the outermost
 * advice, so a skipped call opens no transaction.
 */
public final class PrimaryOnlyPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

    private static final long serialVersionUID = 1L;

    /**
     * @param lifecycle the cluster's lifecycle, looked up at the first call (so that the
     *                  post-processor creates no bean early); when there is none, every call is skipped
     */
    public PrimaryOnlyPostProcessor(ObjectProvider<ClusterLifecycle> lifecycle) {
        this.advisor = new DefaultPointcutAdvisor(new AnnotationMatchingPointcut(null, PrimaryOnly.class, true),
                new PrimaryOnlyInterceptor(lifecycle));
        setBeforeExistingAdvisors(true);
        setProxyTargetClass(true);
        setOrder(Ordered.LOWEST_PRECEDENCE - 1);
    }
}
