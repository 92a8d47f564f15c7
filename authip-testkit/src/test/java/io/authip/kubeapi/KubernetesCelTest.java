package io.authip.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cel.bundle.Cel;
import dev.cel.common.CelAbstractSyntaxTree;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Kubernetes ip/cidr CEL libraries against the examples Kubernetes documents for them
 * (https://kubernetes.io/docs/reference/using-api/cel/ and the doc comments of k8s.io/apiserver/pkg/cel/library
 * ip.go and cidr.go), and against Go's net/netip on the edge cases it defines.
 */
class KubernetesCelTest {

  static final Cel CEL = KubernetesCel.build(List.of());

  static Object eval(String expression) throws Exception {
    CelAbstractSyntaxTree ast = CEL.compile(expression).getAst();
    return CEL.createProgram(ast).eval(Map.of());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      // ip library, documented examples
      "isIP('127.0.0.1') | true",
      "isIP('::1') | true",
      "isIP('127.0.0.256') | false",
      "isIP(':::1') | false",
      "ip.isCanonical('127.0.0.1') | true",
      "ip.isCanonical('2001:db8::abcd') | true",
      "ip.isCanonical('2001:DB8::ABCD') | false",
      "ip.isCanonical('2001:db8::0:0:0:abcd') | false",
      "ip('127.0.0.1').family() == 4 | true",
      "ip('::1').family() == 6 | true",
      "ip('0.0.0.0').isUnspecified() | true",
      "ip('127.0.0.1').isUnspecified() | false",
      "ip('::').isUnspecified() | true",
      "ip('::1').isUnspecified() | false",
      "ip('127.0.0.1').isLoopback() | true",
      "ip('192.168.0.1').isLoopback() | false",
      "ip('::1').isLoopback() | true",
      "ip('2001:db8::abcd').isLoopback() | false",
      "ip('224.0.0.1').isLinkLocalMulticast() | true",
      "ip('224.0.1.1').isLinkLocalMulticast() | false",
      "ip('ff02::1').isLinkLocalMulticast() | true",
      "ip('fd00::1').isLinkLocalMulticast() | false",
      "ip('169.254.169.254').isLinkLocalUnicast() | true",
      "ip('192.168.0.1').isLinkLocalUnicast() | false",
      "ip('fe80::1').isLinkLocalUnicast() | true",
      "ip('fd80::1').isLinkLocalUnicast() | false",
      "ip('192.168.0.1').isGlobalUnicast() | true",
      "ip('255.255.255.255').isGlobalUnicast() | false",
      "ip('2001:db8::abcd').isGlobalUnicast() | true",
      "ip('ff00::1').isGlobalUnicast() | false",
      "string(ip('127.0.0.1')) == '127.0.0.1' | true",
      "string(ip('2001:DB8:0:0:0::ABCD')) == '2001:db8::abcd' | true",
      "ip('127.0.0.1') == ip('127.0.0.1') | true",
      "ip('::1') == ip('0:0:0:0:0:0:0:1') | true",
      "ip('127.0.0.1') == ip('127.0.0.2') | false",
      // cidr library, documented examples
      "isCIDR('192.168.0.0/16') | true",
      "isCIDR('::1/128') | true",
      "isCIDR('192.168.0.0/33') | false",
      "cidr('192.168.0.0/24').containsIP(ip('192.168.0.1')) | true",
      "cidr('192.168.0.0/24').containsIP(ip('192.168.1.1')) | false",
      "cidr('192.168.0.0/24').containsIP('192.168.0.1') | true",
      "cidr('192.168.0.0/24').containsIP('192.168.1.1') | false",
      "cidr('192.168.0.0/16').containsCIDR(cidr('192.168.10.0/24')) | true",
      "cidr('192.168.1.0/24').containsCIDR(cidr('192.168.2.0/24')) | false",
      "cidr('192.168.0.0/16').containsCIDR('192.168.10.0/24') | true",
      "cidr('192.168.1.0/24').containsCIDR('192.168.2.0/24') | false",
      "cidr('192.168.0.1/24').ip() == ip('192.168.0.1') | true",
      "cidr('192.168.0.1/24').ip().family() | 4",
      "cidr('::1/128').ip() == ip('::1') | true",
      "cidr('::1/128').ip().family() | 6",
      "cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24') | true",
      "cidr('192.168.0.0/24').masked() == cidr('192.168.0.0/24') | true",
      "cidr('192.168.0.0/16').prefixLength() | 16",
      "cidr('::1/128').prefixLength() | 128",
      "string(cidr('192.168.0.1/24').masked()) | 192.168.0.0/24",
      // Go net/netip: what a cluster's API server accepts and refuses
      "cidr('192.168.0.1/24') == cidr('192.168.0.0/24') | false",
      "isIP('010.1.2.3') | false",
      "isIP('1.2.3') | false",
      "isIP('1.2.3.4.5') | false",
      "isIP(' 1.2.3.4') | false",
      "isIP('1.2.3.4/32') | false",
      "isIP('::ffff:1.2.3.4') | false",
      "isIP('fe80::1%eth0') | false",
      "isIP('') | false",
      "isIP('::1.2.3.4') | true",
      "isIP('1:2:3:4:5:6:1.2.3.4') | true",
      "isIP('1:2:3:4:5:6:7:8:9') | false",
      "isIP('1::2::3') | false",
      "isIP('12345::') | false",
      "isCIDR('1.2.3.4') | false",
      "isCIDR('1.2.3.4/032') | false",
      "isCIDR('1.2.3.4/+8') | false",
      "isCIDR('1.2.3.4/') | false",
      "isCIDR('1.2.3.4/0') | true",
      "isCIDR('1.2.3.4/32 ') | false",
      "isCIDR('::ffff:1.2.3.4/120') | false",
      "isCIDR('fe80::1%eth0/64') | false",
      "isCIDR('::/0') | true",
      "cidr('10.0.0.0/8').containsIP(ip('::1')) | false",
      "cidr('::/0').containsCIDR(cidr('0.0.0.0/0')) | false",
      "cidr('10.0.0.0/8').containsCIDR(cidr('10.0.0.0/8')) | true",
      "cidr('10.0.0.0/16').containsCIDR(cidr('10.0.0.0/8')) | false",
      "string(ip('1:0:0:1:0:0:0:1')) | 1:0:0:1::1",
      "string(ip('1:0:0:0:1:0:0:1')) | 1::1:0:0:1",
      "string(ip('0:0:0:0:0:0:0:0')) | ::",
      "string(ip('1:0:1:0:1:0:1:0')) | 1:0:1:0:1:0:1:0",
      "string(cidr('2001:db8::1/64').masked()) | 2001:db8::/64",
      "ip('ff12::1').isLinkLocalMulticast() | true",
      "ip('10.0.0.1').isGlobalUnicast() | true",
      "ip('0.0.0.0').isGlobalUnicast() | false",
      "ip('224.0.0.1').isGlobalUnicast() | false",
      "ip('fe80::1').isGlobalUnicast() | false",
  })
  void documentedBehaviour(String expression, String expected) throws Exception {
    assertThat(String.valueOf(eval(expression))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "ip('127.0.0.256') | IP Address \"127.0.0.256\" parse error during conversion from string: "
          + "ParseAddr(\"127.0.0.256\"): IPv4 field has value >255",
      "ip(':::1') | IP Address \":::1\" parse error during conversion from string: ParseAddr(\":::1\"): "
          + "each colon-separated field must have at least one digit (at \":1\")",
      "ip('010.1.2.3') | ParseAddr(\"010.1.2.3\"): IPv4 field has octet with leading zero",
      "ip('::ffff:1.2.3.4') | IPv4-mapped IPv6 address \"::ffff:1.2.3.4\" is not allowed",
      "ip('fe80::1%eth0') | IP address \"fe80::1%eth0\" with zone value is not allowed",
      "cidr('192.168.0.0/33') | network address parse error during conversion from string: "
          + "netip.ParsePrefix(\"192.168.0.0/33\"): prefix length out of range",
      "cidr('::1/129') | netip.ParsePrefix(\"::1/129\"): prefix length out of range",
      "cidr('1.2.3.4') | netip.ParsePrefix(\"1.2.3.4\"): no '/'",
      "cidr('1.2.3.0/024') | netip.ParsePrefix(\"1.2.3.0/024\"): bad bits after slash: \"024\"",
      "cidr('::ffff:1.2.3.0/120') | IPv4-mapped IPv6 address \"::ffff:1.2.3.0/120\" is not allowed",
      "cidr('fe80::%eth0/64') | netip.ParsePrefix(\"fe80::%eth0/64\"): IPv6 zones cannot be present in a prefix",
      "ip.isCanonical('1.2.3') | ParseAddr(\"1.2.3\"): IPv4 address too short",
      "cidr('10.0.0.0/8').containsIP('10.0.0.256') | IPv4 field has value >255",
  })
  void errorsAsKubernetesGivesThem(String expression, String message) {
    assertThatThrownBy(() -> eval(expression)).hasMessageContaining(message);
  }

  @Test
  void theOpaqueTypesDoNotMix() {
    assertThatThrownBy(() -> CEL.compile("ip('1.2.3.4') == '1.2.3.4'").getAst())
        .hasMessageContaining("found no matching overload");
    assertThatThrownBy(() -> CEL.compile("ip('1.2.3.4').masked()").getAst())
        .hasMessageContaining("found no matching overload");
  }
}
