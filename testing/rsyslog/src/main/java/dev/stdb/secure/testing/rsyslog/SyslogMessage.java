package dev.stdb.secure.testing.rsyslog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A strict reader of the RFC 5424 messages the audit-syslog sink writes (one SD element), for the tests. */
public record SyslogMessage(int pri, String timestamp, String hostname, String appName, String procId, String msgId,
        String sdId, Map<String, String> params, List<String> detailParams, String msg) {

    private static final Pattern HEADER = Pattern.compile(
            "<(\\d{1,3})>1 (\\S+) (\\S+) (\\S+) (\\S+) (\\S+) \\[([^ =\\]\"]+)");

    public static SyslogMessage parse(String line) {
        Matcher m = HEADER.matcher(line);
        if (!m.lookingAt()) {
            throw new AssertionError("not an RFC 5424 message with structured data: " + line);
        }
        int i = m.end();
        Map<String, String> params = new LinkedHashMap<>();
        List<String> detail = new ArrayList<>();
        while (line.charAt(i) == ' ') {
            int eq = line.indexOf('=', i);
            String name = line.substring(i + 1, eq);
            if (line.charAt(eq + 1) != '"') {
                throw new AssertionError("no quote after " + name + " in " + line);
            }
            StringBuilder v = new StringBuilder();
            int j = eq + 2;
            while (true) {
                char c = line.charAt(j);
                if (c == '\\') {
                    char n = line.charAt(j + 1);
                    if (n == '"' || n == '\\' || n == ']') {
                        v.append(n);
                        j += 2;
                        continue;
                    }
                    v.append(c);
                    j++;
                } else if (c == '"') {
                    break;
                } else if (c == ']') {
                    throw new AssertionError("unescaped ] inside a value in " + line);
                } else {
                    v.append(c);
                    j++;
                }
            }
            if (name.equals("detail")) {
                detail.add(v.toString());
            } else if (params.put(name, v.toString()) != null) {
                throw new AssertionError("repeated " + name + " in " + line);
            }
            i = j + 1;
        }
        if (line.charAt(i) != ']') {
            throw new AssertionError("structured data not closed at " + i + " in " + line);
        }
        String rest = line.substring(i + 1);
        String msg = rest.startsWith(" ") ? rest.substring(1) : rest;
        return new SyslogMessage(Integer.parseInt(m.group(1)), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6),
                m.group(7), params, detail, msg);
    }

    public long seq() {
        return Long.parseLong(params.get("seq"));
    }
}
