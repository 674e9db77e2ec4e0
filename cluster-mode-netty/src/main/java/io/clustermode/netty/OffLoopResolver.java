package io.clustermode.netty;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Resolves peer host names on threads of its own. Netty's default resolver calls the JDK's
 * blocking lookup on the event loop, where a slow DNS server would stall every connection of
 * that loop, inbound messages included. IP literals, the common case, are still parsed inline.
 */
final class OffLoopResolver extends AddressResolverGroup<InetSocketAddress> {

    private final ThreadPoolExecutor lookups;

    OffLoopResolver(String threadName) {
        lookups = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(threadName, true));
        lookups.allowCoreThreadTimeOut(true);
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new NameResolver(executor).asAddressResolver();
    }

    /** Stops the lookup threads; lookups still waiting fail. */
    @Override
    public void close() {
        super.close();
        lookups.shutdownNow();
    }

    private final class NameResolver extends InetNameResolver {

        NameResolver(EventExecutor executor) {
            super(executor);
        }

        @Override
        protected void doResolve(String host, Promise<InetAddress> promise) {
            if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
                promise.setSuccess(NetUtil.createInetAddressFromIpAddressString(host));
                return;
            }
            submit(promise, () -> promise.trySuccess(InetAddress.getByName(host)));
        }

        @Override
        protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
            submit(promise, () -> promise.trySuccess(Arrays.asList(InetAddress.getAllByName(host))));
        }

        private void submit(Promise<?> promise, Lookup lookup) {
            try {
                lookups.execute(() -> {
                    try {
                        lookup.run();
                    } catch (Exception e) {
                        promise.tryFailure(e);
                    }
                });
            } catch (RejectedExecutionException closed) {
                promise.tryFailure(closed);
            }
        }
    }

    private interface Lookup {
        void run() throws Exception;
    }
}
