package io.authip.emulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The service tags of the emulated cloud, as ARM's Service Tag Discovery API serves them
 * ({@code GET /subscriptions/S/providers/Microsoft.Network/locations/L/serviceTagDetails}, api-version 2024-07-01):
 * every location answers with the whole cloud's tags (the location is the data's version reference, not a filter);
 * {@code tagName} selects one tag, {@code noAddressPrefixes=true} leaves the prefixes out. Each tag's change number
 * increases when its prefixes change, the cloud's with any tag's; change numbers are strings, as ARM writes them.
 * IPv4 and IPv6 prefixes are listed together, as ARM does.
 */
final class ServiceTags {

  private record Tag(String name, String region, List<String> prefixes, long changeNumber) {
  }

  private final Map<String, Tag> tags = new LinkedHashMap<>();
  private long cloudChangeNumber = 1;

  /** Sets a tag's prefixes; its change number increases when they differ from before. */
  synchronized void put(String name, String region, List<String> prefixes) {
    String key = name.toLowerCase(Locale.ROOT);
    Tag old = tags.get(key);
    if (old != null && old.prefixes().equals(prefixes) && old.region().equals(region)) {
      return;
    }
    cloudChangeNumber++;
    tags.put(key, new Tag(name, region, List.copyOf(prefixes), old == null ? 1 : old.changeNumber() + 1));
  }

  synchronized void remove(String name) {
    if (tags.remove(name.toLowerCase(Locale.ROOT)) != null) {
      cloudChangeNumber++;
    }
  }

  /** The one page of {@code serviceTagDetails}: every tag, or the one named {@code tagName} (none if unknown). */
  synchronized ObjectNode details(String subscription, String tagName, boolean noAddressPrefixes) {
    ObjectNode page = JsonNodeFactory.instance.objectNode();
    ArrayNode value = page.putArray("value");
    for (Tag t : tags.values()) {
      if (tagName != null && !tagName.equalsIgnoreCase(t.name())) {
        continue;
      }
      ObjectNode item = value.addObject();
      item.put("name", t.name());
      item.put("id", t.name());
      item.put("serviceTagChangeNumber", Long.toString(cloudChangeNumber));
      ObjectNode properties = item.putObject("properties");
      properties.put("changeNumber", Long.toString(t.changeNumber()));
      properties.put("region", t.region());
      properties.put("state", "GA");
      properties.put("systemService", "");
      if (!noAddressPrefixes) {
        ArrayNode prefixes = properties.putArray("addressPrefixes");
        t.prefixes().forEach(prefixes::add);
      }
    }
    page.putNull("nextLink");
    return page;
  }
}
