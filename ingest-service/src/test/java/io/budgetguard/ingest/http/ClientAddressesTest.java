package io.budgetguard.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressesTest {

    @Test
    void shouldUseThePeerAndIgnoreForwardedForByDefault() {
        ClientAddresses addresses = new ClientAddresses(List.of());

        assertThat(addresses.of("127.0.0.1", "203.0.113.5")).isEqualTo("127.0.0.1");
    }

    @Test
    void shouldIgnoreForwardedForFromAnUntrustedPeer() {
        ClientAddresses addresses = new ClientAddresses(List.of("10.0.0.0/8"));

        assertThat(addresses.of("192.0.2.1", "203.0.113.5")).isEqualTo("192.0.2.1");
    }

    @Test
    void shouldTakeTheRightmostUntrustedHopBehindTrustedProxies() {
        ClientAddresses addresses = new ClientAddresses(List.of("10.0.0.0/8", "127.0.0.1"));

        // the client wrote 1.1.1.1 itself; 203.0.113.5 is what the first trusted proxy saw
        assertThat(addresses.of("127.0.0.1", "1.1.1.1, 203.0.113.5, 10.1.2.3")).isEqualTo("203.0.113.5");
    }

    @Test
    void shouldStopAtAMalformedHop() {
        ClientAddresses addresses = new ClientAddresses(List.of("10.0.0.0/8"));

        assertThat(addresses.of("10.0.0.1", "203.0.113.5, not-an-address, 10.0.0.2")).isEqualTo("10.0.0.2");
        assertThat(addresses.of("10.0.0.1", "garbage")).isEqualTo("10.0.0.1");
    }

    @Test
    void shouldMatchIpv6RangesAndMappedIpv4() {
        ClientAddresses addresses = new ClientAddresses(List.of("::1", "fd00::/8"));

        assertThat(addresses.of("::1", "2001:db8::7")).isEqualTo("2001:db8::7");
        assertThat(addresses.of("[fd12::3]", "2001:db8::8")).isEqualTo("2001:db8::8");
        assertThat(addresses.of("2001:db8::9", "203.0.113.5")).isEqualTo("2001:db8::9");
    }

    @Test
    void shouldAcceptAddressesAndRangesOnly() {
        assertThat(ClientAddresses.isAddressOrRange("10.0.0.0/8")).isTrue();
        assertThat(ClientAddresses.isAddressOrRange("192.168.1.1")).isTrue();
        assertThat(ClientAddresses.isAddressOrRange("2001:db8::/32")).isTrue();
        assertThat(ClientAddresses.isAddressOrRange("proxy.internal")).isFalse();
        assertThat(ClientAddresses.isAddressOrRange("10.0.0.0/33")).isFalse();
        assertThat(ClientAddresses.isAddressOrRange("256.1.1.1")).isFalse();
        assertThatThrownBy(() -> new ClientAddresses(List.of("localhost"))).isInstanceOf(IllegalArgumentException.class);
    }
}
