package io.authip.azure;

import io.authip.ranges.Cidr;
import java.util.Map;

/**
 * The public IP addresses and prefixes of one subscription that have an address, as {@code PublicIPAddresses_ListAll}
 * and {@code PublicIPPrefixes_ListAll} returned them.
 *
 * @param addresses ARM ID, lower-cased, to its block (an address is a /32)
 * @param pages how many page requests the two lists took
 */
public record AddressListing(Map<String, Cidr> addresses, int pages) {
  public AddressListing {
    addresses = Map.copyOf(addresses);
  }
}
