package io.authip.ranges;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Syntax only (rules R1 and R2); whether an address is public is {@link RangeRulesTest}'s business. */
class RangeParserTest {

  @ParameterizedTest(name = "[{index}] ''{0}'' -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', ignoreLeadingAndTrailingWhitespace = false, textBlock = """
      73.140.245.0/24|73.140.245.0/24
      137.117.106.88/29|137.117.106.88/29
      73.140.245.7|73.140.245.7/32
      73.140.245.7/32|73.140.245.7/32
      20.42.0.0/23|20.42.0.0/23
      52.160.96.17|52.160.96.17/32
      8.0.0.0/7|8.0.0.0/7
      0.0.0.0/0|0.0.0.0/0
      255.255.255.255|255.255.255.255/32
      128.0.0.0/1|128.0.0.0/1
      1.0.0.0/8|1.0.0.0/8
      0.0.0.0|0.0.0.0/32
      100.0.0.0/30|100.0.0.0/30
        73.140.245.0/24  |73.140.245.0/24
      """)
  void acceptsCanonicalDottedDecimal(String text, String expected) {
    assertThat(ok(text)).hasToString(expected);
  }

  @ParameterizedTest(name = "[{index}] whitespace around {0}")
  @ValueSource(strings = {"\t73.140.245.7", "73.140.245.7\n", "73.140.245.7\r\n", " \t 73.140.245.7 \t ",
      "\u300073.140.245.7", "73.140.245.7\u2003"})
  void ignoresSurroundingWhitespace(String text) {
    assertThat(ok(text)).isEqualTo(Cidr.of(0x498CF507L, 32));
  }

  @Test
  void refusesHostBitsNamingTheIntendedNetworkExactly() {
    assertThat(error("137.117.106.90/29"))
        .isEqualTo("137.117.106.90/29 is not the first address of its range; did you mean 137.117.106.88/29?");
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      73.140.245.1/24|73.140.245.0/24
      20.42.1.0/23|20.42.0.0/23
      52.160.96.17/31|52.160.96.16/31
      52.160.96.17/0|0.0.0.0/0
      255.255.255.255/1|128.0.0.0/1
      137.117.106.95/29|137.117.106.88/29
      """)
  void refusesHostBits(String text, String meant) {
    assertThat(error(text)).isEqualTo(text + " is not the first address of its range; did you mean " + meant + "?");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"2001:db8::/32", "::1", "::", "::ffff:73.140.245.7", "fe80::1%eth0", "2603:1030::/32",
      "2001:DB8:0:0:0:0:0:1/128"})
  void refusesIpv6(String text) {
    assertThat(error(text)).isEqualTo("'" + text + "' is an IPv6 range; AKS authorized IP ranges accept IPv4 only");
  }

  @ParameterizedTest(name = "[{index}] {0} -> write {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      010.0.0.0/8|'010'|10.0.0.0/8
      73.140.245.07|'07'|73.140.245.7
      073.140.245.0/24|'073'|73.140.245.0/24
      00.1.2.3|'00'|0.1.2.3
      73.140.245.000/24|'000'|73.140.245.0/24
      """)
  void refusesLeadingZerosInOctets(String text, String octet, String suggestion) {
    assertThat(error(text)).isEqualTo("'" + text + "' has a leading zero in " + octet
        + " (ambiguous: some tools read it as octal); write " + suggestion);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      73.140.245.0/024|'024'|/24
      73.140.245.7/032|'032'|/32
      0.0.0.0/00|'00'|/0
      """)
  void refusesLeadingZerosInThePrefixLength(String text, String prefix, String suggestion) {
    assertThat(error(text)).isEqualTo("'" + text + "' has a leading zero in the prefix length " + prefix + "; write "
        + suggestion);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"73.140.245.0/33", "73.140.245.0/64", "73.140.245.0/128", "0.0.0.0/999"})
  void refusesPrefixLengthsAbove32(String text) {
    assertThat(error(text)).isEqualTo("'" + text + "' has prefix length /" + text.substring(text.indexOf('/') + 1)
        + ", which is out of range; an IPv4 prefix length is 0 to 32");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      73.140.245.0/|''
      73.140.245.0/-1|'-1'
      73.140.245.0/+8|'+8'
      73.140.245.0/1000|'1000'
      73.140.245.0/24/24|'24/24'
      73.140.245.0/x|'x'
      73.140.245.0/ 24|' 24'
      """)
  void refusesMalformedPrefixLengths(String text, String prefix) {
    assertThat(error(text)).isEqualTo("'" + text + "' has an invalid prefix length " + prefix
        + "; expected a number from 0 to 32");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"73.140.245", "73.140", "73", "73.140.245.7.1", "73..140.245", "73.140.245.7.", ".73.140.245.7",
      "/24", "localhost", "*", "73.140.245.0-73.140.245.255"})
  void refusesWhatIsNotFourDottedNumbers(String text) {
    assertThat(error(text)).startsWith("'" + text + "' is not an IPv4 address or CIDR");
  }

  @ParameterizedTest(name = "[{index}] {0}: {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      0x49.140.245.7|'0x49' is not a number from 0 to 255
      73.140.245.7 /32|'7 ' is not a number from 0 to 255
      73.140 .245.7|'140 ' is not a number from 0 to 255
      1e2.140.245.7|'1e2' is not a number from 0 to 255
      -1.140.245.7|'-1' is not a number from 0 to 255
      +73.140.245.7|'+73' is not a number from 0 to 255
      1000.140.245.7|'1000' is not a number from 0 to 255
      73.140.245.7,8|'7,8' is not a number from 0 to 255
      """)
  void refusesOctetsThatAreNotDecimalNumbers(String text, String problem) {
    assertThat(error(text)).isEqualTo("'" + text + "' is not an IPv4 address or CIDR: " + problem);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      256.140.245.7|256
      73.140.245.256|256
      73.999.245.0/24|999
      """)
  void refusesOctetsAbove255(String text, int value) {
    assertThat(error(text)).isEqualTo("'" + text + "' is not an IPv4 address: " + value + " is greater than 255");
  }

  /** Characters that render like the ASCII ones a user meant, or are invisible. */
  @ParameterizedTest(name = "[{index}] {0} contains {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      \u0667\u0663.140.245.7|U+0667 (a non-ASCII digit)
      73.\u0661\u0664\u0660.245.7|U+0661 (a non-ASCII digit)
      \u06F7\u06F3.140.245.7|U+06F7 (a non-ASCII digit)
      \u096D\u0969.140.245.7|U+096D (a non-ASCII digit)
      \uFF17\uFF13.140.245.7|U+FF17 (a non-ASCII digit)
      73.140.245.0/\uFF12\uFF14|U+FF12 (a non-ASCII digit)
      73\uFF0E140\uFF0E245\uFF0E7|U+FF0E
      73\u3002140\u3002245\u30027|U+3002
      73.140.245.0\uFF0F24|U+FF0F
      73.140.245.0\u221524|U+2215
      73.140.245.\u0417|U+0417
      73.14\u041E.245.7|U+041E
      73.140.245.7\u00A0|U+00A0
      73.140.245.7\u200B|U+200B
      \uFEFF73.140.245.7|U+FEFF
      73.140.245.\u00B9|U+00B9
      73.140.245.7\t/32|U+0009
      """)
  void refusesNonAsciiLookAlikesNamingTheCodePoint(String text, String what) {
    assertThat(error(text)).isEqualTo("'" + text.strip() + "' contains the character " + what
        + "; only ASCII digits, dots and one slash are allowed");
  }

  @Test
  void namesACodePointOutsideTheBasicPlaneAsOneCharacter() {
    // U+1D7D5 MATHEMATICAL BOLD DIGIT SEVEN: one code point, two UTF-16 chars.
    String text = "\uD835\uDFD5" + "3.140.245.7";
    assertThat(error(text)).isEqualTo("'" + text + "' contains the character U+1D7D5 (a non-ASCII digit); only "
        + "ASCII digits, dots and one slash are allowed");
  }

  @Test
  void refusesMissingAndBlankInput() {
    assertThat(error(null)).isEqualTo("is missing; expected an IPv4 address or CIDR such as 73.140.245.0/24");
    assertThat(error("")).isEqualTo("is empty; expected an IPv4 address or CIDR such as 73.140.245.0/24");
    assertThat(error(" \t\n")).isEqualTo("is empty; expected an IPv4 address or CIDR such as 73.140.245.0/24");
  }

  @Test
  void leadingZeroSuggestionIsOnlyMadeWhenEveryOctetIsANumberUpTo255() {
    assertThat(error("01.140.245.300")).isEqualTo("'01.140.245.300' is not an IPv4 address: 300 is greater than 255");
    assertThat(error("01.140.245.x")).isEqualTo("'01.140.245.x' is not an IPv4 address or CIDR: 'x' is not a number "
        + "from 0 to 255");
  }

  @Test
  void cidrParseThrowsWithTheSameMessage() {
    assertThatThrownBy(() -> Cidr.parse("137.117.106.90/29"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("137.117.106.90/29 is not the first address of its range; did you mean 137.117.106.88/29?");
    assertThat(Cidr.parse(" 73.140.245.0/24 ")).isEqualTo(Cidr.of(0x498CF500L, 24));
  }

  /** The allocation-free path for canonical text must agree with the explaining one on every input. */
  @Test
  void theFastPathAgreesWithTheExplainingParser() {
    long seed = 7L;
    java.util.Random random = new java.util.Random(seed);
    String[] mutations = {"", " ", "0", "00", "1", "9", ".", "/", "/3", "/33", "/0", "/08", "256", "a", "\uFF11", "::"};
    int fast = 0;
    List<String> disagreements = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      int prefix = random.nextInt(33);
      long address = random.nextLong(1L << 32);
      if (random.nextBoolean()) {
        address &= prefix == 0 ? 0 : (1L << 32) - (1L << (32 - prefix));
      }
      String text = Cidr.formatAddress(address) + (random.nextInt(4) == 0 ? "" : "/" + prefix);
      if (random.nextBoolean()) {
        int at = random.nextInt(text.length() + 1);
        String m = mutations[random.nextInt(mutations.length)];
        text = random.nextBoolean() ? text.substring(0, at) + m + text.substring(at)
            : text.substring(0, at) + m + text.substring(Math.min(text.length(), at + 1));
      }
      if (RangeParser.parseCanonical(text) >= 0) {
        fast++;
      }
      RangeParser.Parsed quick = RangeParser.parse(text);
      RangeParser.Parsed explained = RangeParser.parseExplaining(text);
      if (!quick.equals(explained)) {
        disagreements.add("'" + text + "': " + quick + " but " + explained);
      }
    }
    assertThat(disagreements).as("seed %d", seed).isEmpty();
    assertThat(fast).as("the fast path is taken for canonical text").isGreaterThan(500);
  }

  static Cidr ok(String text) {
    RangeParser.Parsed parsed = RangeParser.parse(text);
    assertThat(parsed).as("parse(%s)", text).isInstanceOf(RangeParser.Parsed.Ok.class);
    return ((RangeParser.Parsed.Ok) parsed).cidr();
  }

  static String error(String text) {
    RangeParser.Parsed parsed = RangeParser.parse(text);
    assertThat(parsed).as("parse(%s)", text).isInstanceOf(RangeParser.Parsed.Error.class);
    return ((RangeParser.Parsed.Error) parsed).message();
  }
}
