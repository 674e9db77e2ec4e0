package io.clustermode.spring;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.core.Ordered;

import java.util.Arrays;

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
 *
 * <p>It also notes which proxied methods run once when primacy is granted
 * ({@link PrimaryOnly#onGrant()}); {@link PrimaryOnlyScheduling} runs them. A method that asks for
 * {@link PrimaryOnly.OnGrant#RUN} and cannot have it fails its bean's creation.
 */
public final class PrimaryOnlyPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

    private static final long serialVersionUID = 1L;

    private final transient GrantRuns grantRuns = new GrantRuns();

    /**
     * @param lifecycle the cluster's lifecycle, looked up at the first call (so that the
     *                  post-processor creates no bean early); when there is none, every call is skipped
     */
    public PrimaryOnlyPostProcessor(ObjectProvider<ClusterLifecycle> lifecycle) {
        this.advisor = new DefaultPointcutAdvisor(new AnnotationMatchingPointcut(null, PrimaryOnly.class, true),
                new PrimaryOnlyInterceptor(lifecycle, grantRuns));
        setBeforeExistingAdvisors(true);
        setProxyTargetClass(true);
        setOrder(Ordered.LOWEST_PRECEDENCE - 1);
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        super.setBeanFactory(beanFactory);
        if (beanFactory instanceof ConfigurableBeanFactory configurable) {
            grantRuns.resolveWith(configurable::resolveEmbeddedValue);
        }
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Object result = super.postProcessAfterInitialization(bean, beanName);
        if (result instanceof Advised advised && Arrays.asList(advised.getAdvisors()).contains(advisor)) {
            grantRuns.register(result, AopProxyUtils.ultimateTargetClass(result));
        }
        return result;
    }

    /** The methods that run on grant, as the proxies were made. */
    GrantRuns grantRuns() {
        return grantRuns;
    }
}
