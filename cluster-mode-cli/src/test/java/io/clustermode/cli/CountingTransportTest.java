package io.clustermode.cli;

import io.clustermode.transport.Transport;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CountingTransportTest {

    /**
     * A decorator that does not override a default method of the SPI silently turns it into the
     * default's nothing: the cli's nodes once ignored every join request that way.
     */
    @Test
    void the_decorator_overrides_every_method_of_the_transport_spi() {
        List<String> missing = Arrays.stream(Transport.class.getMethods())
                .filter(method -> !Modifier.isStatic(method.getModifiers()))
                .filter(method -> !declares(method))
                .map(Method::toString).toList();
        assertThat(missing).isEmpty();
    }

    private static boolean declares(Method method) {
        try {
            CountingTransport.class.getDeclaredMethod(method.getName(), method.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
