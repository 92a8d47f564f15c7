package io.authip.reliability;

import java.util.ArrayList;
import java.util.List;

/**
 * Invalid authip resources, each with the fragment its status message must contain. Written as raw JSON: the mock
 * API server stores whatever it is given (no schema), which is exactly the hostile case; a real API server would
 * refuse most of these before authip saw them.
 */
final class BadInputCorpus {

  enum Kind {
    POLICY("authorizedippolicies", "AuthorizedIpPolicy", "Ready"),
    RANGE_SET("iprangesets", "IpRangeSet", "Valid");

    final String plural;
    final String kind;
    final String condition;

    Kind(String plural, String kind, String condition) {
      this.plural = plural;
      this.kind = kind;
      this.condition = condition;
    }
  }

  /**
   * @param name the resource's name (assigned in order)
   * @param category what kind of bad input, for the report
   * @param body everything of the resource but apiVersion, kind and metadata, as JSON members
   * @param expect a fragment the status message must contain
   */
  record Bad(String name, Kind kind, String category, String body, String expect) {
    @Override
    public String toString() {
      return name + " " + category + ": " + abbreviate(body) + " -> " + abbreviate(expect);
    }

    /** The whole resource as JSON, in namespace {@code ns}. */
    String json(String ns) {
      return "{\"apiVersion\":\"authip.io/v1alpha1\",\"kind\":\"" + kind.kind + "\",\"metadata\":{\"name\":\"" + name
          + "\",\"namespace\":\"" + ns + "\"}" + (body.isEmpty() ? "" : "," + body) + "}";
    }

    private static String abbreviate(String s) {
      return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
  }

  static final String SUB = Harness.SUB;
  /** The one cluster every bad policy names: it exists, and must never be read or written. */
  static final String RG = "bad-input-rg";
  static final String CLUSTER = "bad-input-target";
  static final String TARGET = target(SUB, RG, CLUSTER);

  private final List<Bad> all = new ArrayList<>();

  private BadInputCorpus() {
  }

  private static List<Bad> corpus;

  /** Built once: some of its resources are megabytes. */
  static synchronized List<Bad> all() {
    if (corpus == null) {
      corpus = build();
    }
    return corpus;
  }

  private static List<Bad> build() {
    BadInputCorpus c = new BadInputCorpus();
    c.ranges();
    c.hostBits();
    c.ipv6();
    c.lookAlikes();
    c.syntax();
    c.wrongTypes();
    c.targets();
    c.enums();
    c.egress();
    c.serviceTagAndResync();
    c.conflicts();
    c.limits();
    c.references();
    c.rangeSets();
    c.structure();
    return List.copyOf(c.all);
  }

  // ---- builders --------------------------------------------------------------------------------------------------

  static String target(String sub, String rg, String name) {
    return "{\"subscriptionId\":" + str(sub) + ",\"resourceGroup\":" + str(rg) + ",\"clusterName\":" + str(name) + "}";
  }

  /** A JSON string literal, escaped. */
  static String str(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '"' || ch == '\\') {
        sb.append('\\').append(ch);
      } else if (ch < 0x20) {
        sb.append(String.format("\\u%04x", (int) ch));
      } else {
        sb.append(ch);
      }
    }
    return sb.append('"').toString();
  }

  private void add(Kind kind, String category, String body, String expect) {
    all.add(new Bad(String.format("b%03d", all.size() + 1), kind, category, body, expect));
  }

  /** A policy naming the bad-input target, with these extra spec members. */
  private void policy(String category, String specMembers, String expect) {
    add(Kind.POLICY, category, "\"spec\":{\"targets\":[" + TARGET + "]" + (specMembers.isEmpty() ? "" : ","
        + specMembers) + "}", expect);
  }

  private void cidr(String category, String cidr, String expect) {
    policy(category, "\"ranges\":[{\"cidr\":" + str(cidr) + "}]", expect);
  }

  private static String cidrs(List<String> list) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < list.size(); i++) {
      sb.append(i == 0 ? "" : ",").append("{\"cidr\":").append(str(list.get(i))).append('}');
    }
    return sb.append(']').toString();
  }

  /** {@code n} distinct public /32s, no two adjacent, so nothing merges. */
  static List<String> distinctPublicAddresses(int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int v = i * 2;
      out.add("20.64." + (v / 256) + "." + (v % 256));
    }
    return out;
  }

  // ---- the corpus ------------------------------------------------------------------------------------------------

  private void ranges() {
    String c = "private or special range";
    cidr(c, "10.0.0.0/8", "spec.ranges[0].cidr: 10.0.0.0/8 is not a public range: it lies in 10.0.0.0/8 "
        + "(private-use, RFC 1918)");
    cidr(c, "172.16.5.0/24", "172.16.5.0/24 is not a public range: it lies in 172.16.0.0/12");
    cidr(c, "192.168.1.0/24", "192.168.1.0/24 is not a public range: it lies in 192.168.0.0/16");
    cidr(c, "100.64.0.0/10", "100.64.0.0/10 is not a public range: it lies in 100.64.0.0/10 (shared address space");
    cidr(c, "127.0.0.1", "127.0.0.1/32 is not a public range: it lies in 127.0.0.0/8 (loopback");
    cidr(c, "169.254.0.0/16", "169.254.0.0/16 is not a public range: it lies in 169.254.0.0/16 (link-local");
    cidr(c, "224.0.0.0/4", "224.0.0.0/4 is not a public range: it lies in 224.0.0.0/4 (multicast");
    cidr(c, "192.0.2.0/24", "192.0.2.0/24 is not a public range: it lies in 192.0.2.0/24 (documentation TEST-NET-1");
    cidr(c, "198.51.100.0/24", "198.51.100.0/24 is not a public range: it lies in 198.51.100.0/24 (documentation");
    cidr(c, "203.0.113.7", "203.0.113.7/32 is not a public range: it lies in 203.0.113.0/24 (documentation");
    cidr(c, "240.0.0.0/4", "240.0.0.0/4 is not a public range: it lies in 240.0.0.0/4 (reserved");
    cidr(c, "255.255.255.255", "255.255.255.255/32 is not a public range: it lies in 240.0.0.0/4");
    cidr(c, "0.0.0.0/8", "0.0.0.0/8 is not a public range: it lies in 0.0.0.0/8");
    cidr(c, "198.18.0.0/15", "198.18.0.0/15 is not a public range: it lies in 198.18.0.0/15 (benchmarking");
    cidr(c, "192.0.0.0/24", "192.0.0.0/24 is not a public range: it contains 192.0.0.0/29");
    cidr(c, "8.0.0.0/5", "8.0.0.0/5 is not a public range: it contains 10.0.0.0/8 (private-use, RFC 1918); split it");
    cidr(c, "64.0.0.0/2", "64.0.0.0/2 is not a public range: it contains 100.64.0.0/10");
    cidr(c, "0.0.0.0/0", "0.0.0.0/0 would authorize every address; set access: Unrestricted if that is really meant");
    cidr(c, "0.0.0.0/32", "0.0.0.0/32 is AKS's marker for \"load balancer outbound IPs only\"");
    policy(c, "\"ranges\":[{\"cidr\":\"73.140.245.0/24\"},{\"cidr\":\"10.1.0.0/16\"}]",
        "spec.ranges[1].cidr: 10.1.0.0/16 is not a public range");
  }

  private void hostBits() {
    String c = "host bits set";
    cidr(c, "137.117.106.90/29", "137.117.106.90/29 is not the first address of its range; did you mean "
        + "137.117.106.88/29?");
    cidr(c, "73.140.245.7/24", "did you mean 73.140.245.0/24?");
    cidr(c, "20.1.2.3/31", "did you mean 20.1.2.2/31?");
    cidr(c, "52.160.96.17/0", "52.160.96.17/0 is not the first address of its range; did you mean 0.0.0.0/0?");
  }

  private void ipv6() {
    String c = "IPv6";
    cidr(c, "2001:db8::/32", "'2001:db8::/32' is an IPv6 range; AKS authorized IP ranges accept IPv4 only");
    cidr(c, "::1", "'::1' is an IPv6 range");
    cidr(c, "::ffff:20.1.2.3", "'::ffff:20.1.2.3' is an IPv6 range");
    cidr(c, "2603:1030::/32", "'2603:1030::/32' is an IPv6 range");
    cidr(c, "20.1.2.3:443", "'20.1.2.3:443' is not an IPv4 address or CIDR (expected a.b.c.d or a.b.c.d/n)");
  }

  private void lookAlikes() {
    String c = "Unicode look-alike";
    cidr(c, "\uFF120.1.2.0/24", "contains the character U+FF12 (a non-ASCII digit)");
    cidr(c, "\u0662\u0660.1.2.0/24", "contains the character U+0662 (a non-ASCII digit)");
    cidr(c, "\u0968\u0966.\u0967.\u0968.\u0966", "contains the character U+0968 (a non-ASCII digit)");
    cidr(c, "\uD835\uDFD0" + "0.1.2.0/24", "contains the character U+1D7D0 (a non-ASCII digit)");
    cidr(c, "2\u041E.1.2.0/24", "contains the character U+041E; only ASCII digits");
    cidr(c, "20.1.2.0\u200B/24", "contains the character U+200B");
    cidr(c, "20\uFF0E1.2.0/24", "contains the character U+FF0E");
    cidr(c, "20.1.2.0\u00A0/24", "contains the character U+00A0");
    cidr(c, "\u202E20.1.2.0/24", "contains the character U+202E");
    cidr(c, "20.1.2.0\n/24", "contains the character U+000A");
  }

  private void syntax() {
    String c = "malformed range";
    cidr(c, "", "spec.ranges[0].cidr: is empty; expected an IPv4 address or CIDR");
    cidr(c, "   ", "spec.ranges[0].cidr: is empty");
    policy(c, "\"ranges\":[{\"description\":\"no cidr\"}]", "spec.ranges[0].cidr: is missing");
    cidr(c, "20.1.2", "'20.1.2' is not an IPv4 address or CIDR (expected four dot-separated numbers");
    cidr(c, "20.1.2.3.4", "'20.1.2.3.4' is not an IPv4 address or CIDR (expected four dot-separated numbers");
    cidr(c, "20.1.2.256", "'20.1.2.256' is not an IPv4 address: 256 is greater than 255");
    cidr(c, "20.01.2.0/24", "has a leading zero in '01' (ambiguous: some tools read it as octal); write 20.1.2.0/24");
    cidr(c, "20.1.2.0/033", "has a leading zero in the prefix length '033'; write /33");
    cidr(c, "20.1.2.0/33", "has prefix length /33, which is out of range");
    cidr(c, "20.1.2.0/", "'20.1.2.0/' has an invalid prefix length ''; expected a number from 0 to 32");
    cidr(c, "20.1.2.0/x", "has an invalid prefix length 'x'");
    cidr(c, "20.1.2.0/-1", "has an invalid prefix length '-1'");
    cidr(c, "0x14.1.2.0", "'0x14' is not a number from 0 to 255");
    cidr(c, "1e3.1.2.0", "'1e3' is not a number from 0 to 255");
    cidr(c, "20.1.2.0/24/24", "has an invalid prefix length '24/24'");
    cidr(c, "20.1.2.0 /24", "'0 ' is not a number from 0 to 255");
    cidr(c, "9".repeat(200_000), "... (200000 characters)' is not an IPv4 address or CIDR");
  }

  private void wrongTypes() {
    String c = "wrong type";
    policy(c, "\"ranges\":\"20.1.2.0/24\"", "spec.ranges: has the wrong type (a string); expected a list");
    policy(c, "\"ranges\":{\"cidr\":\"20.1.2.0/24\"}", "spec.ranges: has the wrong type (an object); expected a list");
    policy(c, "\"ranges\":[\"20.1.2.0/24\"]", "spec.ranges[0]: has the wrong type (a string); expected an object");
    policy(c, "\"ranges\":[[1]]", "spec.ranges[0]: has the wrong type (a list); expected an object");
    policy(c, "\"ranges\":[{\"cidr\":{\"a\":1}}]", "spec.ranges[0].cidr: has the wrong type (an object); expected a "
        + "string");
    policy(c, "\"ranges\":[{\"cidr\":[\"20.1.2.0/24\"]}]", "spec.ranges[0].cidr: has the wrong type (a list)");
    policy(c, "\"ranges\":[{\"cidr\":1234}]", "spec.ranges[0].cidr: has the wrong type (the number 1234); expected "
        + "a string");
    policy(c, "\"ranges\":[{\"cidr\":true}]", "spec.ranges[0].cidr: has the wrong type (the boolean true); expected "
        + "a string");
    policy(c, "\"ranges\":[null]", "spec.ranges[0]: is null; expected an object with a cidr");
    policy(c, "\"ranges\":[{\"cidr\":\"20.1.2.0/24\",\"description\":{\"a\":1}}]",
        "spec.ranges[0].description: has the wrong type (an object); expected a string");
  }

  private void targets() {
    String c = "bad target";
    add(Kind.POLICY, c, "\"spec\":{\"targets\":5,\"ranges\":[{\"cidr\":\"20.1.2.0/24\"}]}",
        "spec.targets: has the wrong type (a number); expected a list");
    add(Kind.POLICY, c, "\"spec\":{\"targets\":" + TARGET + ",\"ranges\":[{\"cidr\":\"20.1.2.0/24\"}]}",
        "spec.targets: has the wrong type (an object); expected a list");
    add(Kind.POLICY, c, "\"spec\":{\"targets\":[null],\"ranges\":[{\"cidr\":\"20.1.2.0/24\"}]}",
        "spec.targets[0]: is null");
    add(Kind.POLICY, c, "\"spec\":{\"targets\":[],\"ranges\":[{\"cidr\":\"20.1.2.0/24\"}]}",
        "spec.targets: is empty; name at least one AKS cluster");
    add(Kind.POLICY, c, "\"spec\":{\"ranges\":[{\"cidr\":\"20.1.2.0/24\"}]}", "spec.targets: is empty");
    add(Kind.POLICY, c, "\"spec\":{\"targets\":[{\"subscriptionId\":[\"x\"],\"resourceGroup\":\"rg\",\"clusterName\":"
        + "\"aks\"}],\"ranges\":[{\"cidr\":\"20.1.2.0/24\"}]}",
        "spec.targets[0].subscriptionId: has the wrong type (a list); expected a string");
    String ranges = ",\"ranges\":[{\"cidr\":\"20.1.2.0/24\"}]}";
    add(Kind.POLICY, c, "\"spec\":{\"targets\":[" + target("not-a-guid", RG, CLUSTER) + "]" + ranges,
        "spec.targets[0].subscriptionId: 'not-a-guid' is not a subscription ID");
    add(Kind.POLICY, c, "\"spec\":{\"targets\":[" + target("\uFF15a1c2e3f-4b6d-4e8f-9a0b-1c2d3e4f5a6b", RG, CLUSTER)
        + "]" + ranges, "is not a subscription ID");
    add(Kind.POLICY, c, "\"spec\":{\"targets\":[" + target(SUB, "rg/../other", CLUSTER) + "]" + ranges,
        "spec.targets[0].resourceGroup: 'rg/../other' is not a resource group name");
    add(Kind.POLICY, c, "\"spec\":{\"targets\":[" + target(SUB, "r".repeat(1_000_000), CLUSTER) + "]" + ranges,
        "... (1000000 characters)' is not a resource group name");
    add(Kind.POLICY, c, "\"spec\":{\"targets\":[" + target(SUB, RG, "-aks") + "]" + ranges,
        "spec.targets[0].clusterName: '-aks' is not an AKS cluster name");
    add(Kind.POLICY, c, "\"spec\":{\"targets\":[" + target(SUB, RG, "\u0430ks") + "]" + ranges,
        "is not an AKS cluster name");
    add(Kind.POLICY, c, "\"spec\":{\"targets\":[" + target(SUB, RG, "aks\u0000") + "]" + ranges,
        "is not an AKS cluster name");
    add(Kind.POLICY, c, "\"spec\":{\"targets\":[{\"subscriptionId\":" + str(SUB) + ",\"resourceGroup\":" + str(RG)
        + "}]" + ranges, "spec.targets[0].clusterName: is required");
    add(Kind.POLICY, c, "\"spec\":{\"targets\":[" + TARGET + "," + target(SUB.toUpperCase(), RG.toUpperCase(),
        CLUSTER.toUpperCase()) + "]" + ranges, "spec.targets[1]: duplicates spec.targets[0]");
    add(Kind.POLICY, c, "\"spec\":{\"targets\":" + manyTargets(101) + ranges,
        "spec.targets: 101 targets; at most 100 are allowed per policy");
    add(Kind.POLICY, c, "\"spec\":{\"targets\":" + manyTargets(10_000) + ranges, "spec.targets: 10000 targets");
  }

  private static String manyTargets(int n) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append(target(SUB, RG, "aks-" + i));
    }
    return sb.append(']').toString();
  }

  private void enums() {
    String c = "invalid enum value";
    String r = "\"ranges\":[{\"cidr\":\"20.1.2.0/24\"}],";
    policy(c, r + "\"access\":\"Unrestrictd\"", "spec.access: 'Unrestrictd' is not a valid value; allowed: Restricted, "
        + "LoadBalancerOnly, Unrestricted");
    policy(c, "\"access\":2", "spec.access: '2' is not a valid value; allowed: Restricted, LoadBalancerOnly, "
        + "Unrestricted");
    policy(c, r + "\"access\":true", "spec.access: has the wrong type (a boolean); expected one of Restricted, "
        + "LoadBalancerOnly, Unrestricted");
    policy(c, r + "\"access\":\"restricted\"", "spec.access: 'restricted' is not a valid value");
    policy(c, r + "\"mode\":\"observe\"", "spec.mode: 'observe' is not a valid value; allowed: Enforce, Observe");
    policy(c, r + "\"mode\":[1]", "spec.mode: has the wrong type (a list); expected one of Enforce, Observe");
    policy(c, r + "\"mode\":1", "spec.mode: '1' is not a valid value; allowed: Enforce, Observe");
    policy(c, r + "\"deletionPolicy\":\"Delete\"", "spec.deletionPolicy: 'Delete' is not a valid value; allowed: "
        + "Retain, Restore");
  }

  private void egress() {
    String c = "bad egress";
    String r = "\"ranges\":[{\"cidr\":\"20.1.2.0/24\"}],";
    policy(c, r + "\"egress\":\"yes\"", "spec.egress: has the wrong type (a string); expected an object");
    policy(c, r + "\"egress\":{\"natGateway\":\"perhaps\"}", "spec.egress.natGateway: has the wrong type (the string "
        + "'perhaps'); expected true or false");
    policy(c, r + "\"egress\":{\"loadBalancer\":{\"x\":1}}",
        "spec.egress.loadBalancer: has the wrong type (an object); expected true or false");
    policy(c, r + "\"egress\":{\"publicIpResourceIds\":[\"/subscriptions/x/resourceGroups/rg/providers/Microsoft"
        + ".Network/publicIPAddresses/pip\"]}", "spec.egress.publicIpResourceIds[0]: '/subscriptions/x/resourceGroups"
        + "/rg/providers/Microsoft.Network/publicIPAddresses/pip' is not the ARM ID of a public IP address or prefix");
    policy(c, r + "\"egress\":{\"publicIpResourceIds\":[\"/subscriptions/" + SUB + "/resourceGroups/rg/providers/"
        + "Microsoft.Network/networkInterfaces/nic\"]}", "is not the ARM ID of a public IP address or prefix");
    policy(c, r + "\"egress\":{\"publicIpResourceIds\":\"/subscriptions/" + SUB + "\"}",
        "spec.egress.publicIpResourceIds: has the wrong type (a string); expected a list");
  }

  private void serviceTagAndResync() {
    String c = "bad serviceTag or resyncInterval";
    String r = "\"ranges\":[{\"cidr\":\"20.1.2.0/24\"}],";
    policy(c, r + "\"serviceTag\":\"Azure Cloud\"", "spec.serviceTag: 'Azure Cloud' is not a service tag");
    policy(c, r + "\"serviceTag\":\"AzureCloud,Storage\"", "'AzureCloud,Storage' is not a service tag; write one tag");
    policy(c, r + "\"serviceTag\":\"" + "x".repeat(100_000) + "\"", "is longer than 80 characters");
    policy(c, r + "\"resyncInterval\":\"10s\"", "spec.resyncInterval: '10s' is out of range; the interval must be "
        + "between 1m and 24h");
    policy(c, r + "\"resyncInterval\":\"25h\"", "'25h' is out of range");
    policy(c, r + "\"resyncInterval\":\"5 minutes\"", "'5 minutes' is not a duration; write it like 30m, 2h or 1h30m");
    policy(c, r + "\"resyncInterval\":300", "spec.resyncInterval: has the wrong type (the number 300); expected a "
        + "string");
    policy(c, r + "\"resyncInterval\":\"99999999999999999999h\"", "'99999999999999999999h' is not a duration");
  }

  private void conflicts() {
    String c = "conflicting fields";
    policy(c, "\"access\":\"Unrestricted\",\"ranges\":[{\"cidr\":\"20.1.2.0/24\"}]",
        "spec.ranges: must be empty with access: Unrestricted");
    policy(c, "\"access\":\"LoadBalancerOnly\",\"rangeSetRefs\":[{\"name\":\"x\"}]",
        "spec.rangeSetRefs: must be empty with access: LoadBalancerOnly");
    policy(c, "\"access\":\"Unrestricted\",\"serviceTag\":\"AzureCloud\"",
        "spec.serviceTag: cannot be combined with access: Unrestricted");
    policy(c, "\"access\":\"LoadBalancerOnly\",\"egress\":{\"publicIpResourceIds\":[\"/subscriptions/" + SUB
        + "/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip\"]}",
        "spec.egress.publicIpResourceIds: must be empty with access: LoadBalancerOnly");
    policy(c, "\"egress\":{\"loadBalancer\":false,\"natGateway\":false,\"nodePublicIpPrefixes\":false}",
        "would send an empty list, which AKS reads as unrestricted");
    policy(c, "\"ranges\":[{\"cidr\":\"20.1.2.0/24\"},{\"cidr\":\"0.0.0.0/32\"}]",
        "spec.ranges[1].cidr: 0.0.0.0/32 is AKS's marker");
  }

  private void limits() {
    String c = "huge list";
    // Validated at the largest per-cluster limit (API Server VNet Integration: 2,000); a list of 201 is refused per
    // target instead (TargetPlanner), which needs the cluster read.
    policy(c, "\"ranges\":" + cidrs(distinctPublicAddresses(2001)), "spec: 2001 ranges after merging duplicates, "
        + "overlaps and adjacent ranges; 1 over the limit of 2000");
    policy(c, "\"ranges\":" + cidrs(distinctPublicAddresses(10_000)), "spec: 10000 ranges after merging duplicates, "
        + "overlaps and adjacent ranges; 8000 over the limit of 2000");
    List<String> privates = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      privates.add("10.0." + (i / 256) + "." + (i % 256));
    }
    policy(c, "\"ranges\":" + cidrs(privates), "spec.ranges[4].cidr: 10.0.0.4/32 is not a public range");
    policy(c, "\"ranges\":" + cidrs(privates), "; and 9995 more");
  }

  private void references() {
    String c = "bad reference";
    String r = "\"ranges\":[{\"cidr\":\"20.1.2.0/24\"}],";
    policy(c, r + "\"rangeSetRefs\":[{\"name\":\"nope\"}]", "spec.rangeSetRefs[0].name: IpRangeSet 'nope' not found "
        + "in namespace");
    policy(c, r + "\"rangeSetRefs\":[{}]", "spec.rangeSetRefs[0].name: is missing; name an IpRangeSet");
    policy(c, r + "\"rangeSetRefs\":[{\"name\":\"bad-private\"},{\"name\":\"bad-private\"}]",
        "spec.rangeSetRefs[1].name: IpRangeSet 'bad-private' is already referenced at spec.rangeSetRefs[0]");
    StringBuilder refs = new StringBuilder("[");
    for (int i = 0; i < 1000; i++) {
      refs.append(i == 0 ? "" : ",").append("{\"name\":\"missing-").append(i).append("\"}");
    }
    policy(c, r + "\"rangeSetRefs\":" + refs + "]", "and 995 more");
    policy(c, r + "\"rangeSetRefs\":[{\"name\":\"bad-private\"}]", "spec.rangeSetRefs[0].name: IpRangeSet "
        + "'bad-private' is invalid: spec.ranges[0].cidr: 10.0.0.0/8 is not a public range");
    policy(c, r + "\"rangeSetRefs\":[{\"name\":\"bad-huge\"}]", "IpRangeSet 'bad-huge' is invalid: spec.ranges: "
        + "10000 ranges after merging");
    policy(c, r + "\"rangeSetRefs\":[{\"name\":\"bad-malformed\"}]", "IpRangeSet 'bad-malformed' is invalid: "
        + "spec.ranges: has the wrong type (a string); expected a list");
    policy(c, r + "\"rangeSetRefs\":[{\"name\":" + str("n".repeat(10_000)) + "}]", "... (10000 characters)' not found");
  }

  private void rangeSets() {
    String c = "bad IpRangeSet";
    all.add(new Bad("bad-private", Kind.RANGE_SET, c, "\"spec\":{\"ranges\":[{\"cidr\":\"10.0.0.0/8\"}]}",
        "spec.ranges[0].cidr: 10.0.0.0/8 is not a public range"));
    all.add(new Bad("bad-huge", Kind.RANGE_SET, c, "\"spec\":{\"ranges\":" + cidrs(distinctPublicAddresses(10_000))
        + "}", "spec.ranges: 10000 ranges after merging duplicates, overlaps and adjacent ranges; 8000 over the "
        + "limit of 2000"));
    all.add(new Bad("bad-malformed", Kind.RANGE_SET, c, "\"spec\":{\"ranges\":\"20.1.2.0/24\"}",
        "spec.ranges: has the wrong type (a string); expected a list"));
    add(Kind.RANGE_SET, c, "", "spec: is missing; an IpRangeSet needs spec.ranges or spec.sources");
    add(Kind.RANGE_SET, c, "\"spec\":{\"rnages\":[{\"cidr\":\"20.1.2.0/24\"}]}",
        "spec.rnages: unknown field 'rnages'; did you mean 'ranges'?");
    add(Kind.RANGE_SET, c, "\"spec\":{\"ranges\":[{\"cidr\":\"2001:db8::/32\"},{\"cidr\":\"20.1.2.3/24\"}]}",
        "spec.ranges[1].cidr: 20.1.2.3/24 is not the first address of its range");
    add(Kind.RANGE_SET, c, "\"spec\":[]", "spec: has the wrong type (a list); expected an object");
  }

  private void structure() {
    String c = "hostile structure";
    add(Kind.POLICY, c, "\"spec\":\"hello\"", "spec: has the wrong type (a string); expected an object");
    add(Kind.POLICY, c, "\"spec\":[1,2]", "spec: has the wrong type (a list); expected an object");
    add(Kind.POLICY, c, "\"spec\":null", "spec: is missing; a policy needs at least spec.targets");
    add(Kind.POLICY, c, "", "spec: is missing; a policy needs at least spec.targets");
    policy(c, "\"rnages\":[{\"cidr\":\"20.1.2.0/24\"}]", "spec.rnages: unknown field 'rnages'; did you mean 'ranges'?");
    add(Kind.POLICY, c, "\"spec\":{\"targetz\":[" + TARGET + "],\"ranges\":[{\"cidr\":\"20.1.2.0/24\"}]}",
        "spec.targetz: unknown field 'targetz'; did you mean 'targets'?");
    policy(c, "\"ranges\":[{\"cidr\":\"20.1.2.0/24\"}],\"egress\":{\"loadbalancer\":false}",
        "spec.egress.loadbalancer: unknown field 'loadbalancer'; did you mean 'loadBalancer'?");
    policy(c, "\"ranges\":[{\"cidr\":\"20.1.2.0/24\",\"except\":\"20.1.2.128/25\"}]",
        "spec.ranges[0].except: unknown field");
    policy(c, "\"ranges\":[{\"cidr\":\"20.1.2.0/24\"}],\"junk\":" + nested(900, "{\"a\":", "}"),
        "spec.junk: unknown field 'junk'; known fields:");
    add(Kind.POLICY, c, "\"spec\":{\"targets\":[{\"subscriptionId\":" + nested(900, "{\"a\":", "}") + "}],\"ranges\":"
        + "[{\"cidr\":\"20.1.2.0/24\"}]}", "spec.targets[0].subscriptionId: has the wrong type (an object); expected a "
        + "string");
    policy(c, "\"ranges\":" + nested(900, "[", "]"), "spec.ranges[0]: has the wrong type (a list); expected an object");
  }

  private static String nested(int depth, String open, String close) {
    return open.repeat(depth) + "1" + close.repeat(depth);
  }
}
