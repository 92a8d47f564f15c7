package io.authip.azure;

import java.util.List;

/**
 * One service tag as ARM's Service Tag Discovery API returned it.
 *
 * @param name the tag's name as listed
 * @param changeNumber the tag's own change number (it increases when the tag's prefixes change)
 * @param addressPrefixes IPv4 and IPv6 prefixes as listed; null when the change number was the one already known,
 *     and the prefixes were therefore not asked for
 * @param requests how many ARM requests this took (one when unchanged, two when the prefixes were read)
 */
public record ServiceTag(String name, String changeNumber, List<String> addressPrefixes, int requests) {

  public ServiceTag {
    addressPrefixes = addressPrefixes == null ? null : List.copyOf(addressPrefixes);
  }

  public boolean unchanged() {
    return addressPrefixes == null;
  }
}
