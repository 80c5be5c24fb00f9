using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Defender.SampleApi.Data;

namespace Defender.SampleApi.Tests.Reliability;

/// <summary>One generated request. <see cref="Describe"/> says enough to reproduce it from the seed and index.</summary>
public sealed record FuzzCase(int Index, string Kind, HttpMethod Method, string PathAndQuery, string? Authorization, byte[]? Body, string? ContentType, bool Chunked)
{
    public string Describe()
    {
        var body = Body is null ? "" : Encoding.UTF8.GetString(Body, 0, Math.Min(Body.Length, 160));
        var path = PathAndQuery.Length > 200 ? PathAndQuery[..200] + "…" : PathAndQuery;
        return $"#{Index} {Kind} {Method} {path} auth={Authorization ?? "-"} type={ContentType ?? "-"} chunked={Chunked} bytes={Body?.Length ?? 0} body={body}";
    }

    /// <summary>What the request itself said, for telling an echo from a leak.</summary>
    public string RequestText()
    {
        string path;
        try
        {
            path = Uri.UnescapeDataString(PathAndQuery);
        }
        catch (UriFormatException)
        {
            path = PathAndQuery;
        }

        return PathAndQuery + "\n" + path + "\n" + (Body is null ? "" : Encoding.UTF8.GetString(Body));
    }
}

/// <summary>
/// A seeded generator of hostile requests for every route of the sample that reads a body or a query. Case <c>i</c> depends only
/// on the seed and <c>i</c>, so a failure is reproduced by its index whatever the order the workers sent them in.
/// </summary>
public sealed class RequestFuzzer(int seed)
{
    private const string Raw = "\u0001raw:";

    private static readonly string[] KnownMachineIds =
    [
        SeedData.HealthyWindowsId, SeedData.LiveResponseWindowsId, SeedData.IsolatedWindowsId, SeedData.DomainControllerId,
        SeedData.WebServerId, SeedData.LegacyAgentId, SeedData.LinuxId, SeedData.IsolatedLinuxId, SeedData.MacId,
        SeedData.InactiveMacId, SeedData.SalesWindowsId, SeedData.LabWindowsId,
    ];

    private static readonly string[] HostileStrings =
    [
        "", " ", "\t", "null", "true", "0", "-1", "1e400", "NaN", "Infinity", "'; DROP TABLE Machines;--", "\" OR \"1\"=\"1",
        "../../../../etc/passwd", "C:\\Windows\\win.ini", "%00", "\0", "\u0000\u0001\u0007\u001b[31mred", "line1\r\nline2",
        "fake\r\n2025-01-01 fail: Forged[1] login ok", "\u2028\u2029", "\u202e\u2066reversed\u2069", "\u0085next-line", "\u009b31m",
        "\ud800", "\udfff", "😀😀😀", "ω≠∞", "<script>alert(1)</script>", "{{7*7}}", "${jndi:ldap://x}", "Full", "Selective",
        "full", "SELECTIVE", "RunScript", "runscript", "FileSha1", "DomainName", "IpAddress", "Url", "Block", "Alert", "High",
        "da39a3ee5e6b4b0d3255bfef95601890afd80709", "999.999.999.999", "::1", "http://", "http://[::1", "a..b", "-a.com",
    ];

    private static readonly string[] MachineProperties =
        ["id", "computerDnsName", "osPlatform", "osVersion", "healthStatus", "riskScore", "lastSeen", "agentVersion", "isolationState"];

    private static readonly string[] IndicatorProperties =
        ["id", "indicatorValue", "indicatorType", "action", "title", "description", "severity", "creationTimeDateTimeUtc", "createdBy"];

    private static readonly string[] Functions =
    [
        "contains", "startswith", "endswith", "tolower", "toupper", "length", "substring", "indexof", "trim", "concat", "year",
        "month", "day", "round", "floor", "ceiling", "now", "date", "cast", "isof", "matchesPattern", "any", "all", "nosuch",
    ];

    private static readonly string[] Operators = ["eq", "ne", "gt", "ge", "lt", "le", "has", "in", "add", "sub", "mul", "div", "mod", "EQ", "=="];

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "application/json; charset=UTF-8", "APPLICATION/JSON",
        "application/json; charset=nonsense",
        "application/json; charset=utf-16", "application/json; charset=latin1", "text/json", "application/problem+json",
        "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
        "application/octet-stream", "application/json-patch+json", "application/*", "*/*",
    ];

    /// <summary>A few cases that are expensive on purpose: multi-megabyte values, 10,000 levels of nesting, huge queries.</summary>
    public IReadOnlyList<FuzzCase> HeavyCases()
    {
        var isolate = $"/api/machines/{SeedData.LabWindowsId}/isolate";
        var live = $"/api/machines/{SeedData.LiveResponseWindowsId}/runliveresponse";
        var threeMb = new string('A', 3 * 1024 * 1024);
        var cases = new List<(string Kind, HttpMethod Method, string Path, string? Body)>
        {
            ("3MB string value", HttpMethod.Post, "/api/machines/missing-3mb/isolate", "{\"Comment\":\"" + threeMb + "\"}"),
            ("3MB indicator value", HttpMethod.Post, "/api/indicators", Indicator(threeMb, "FileSha256")),
            ("3MB key", HttpMethod.Post, isolate, "{\"" + threeMb + "\":1,\"Comment\":\"x\"}"),
            ("1M-element array", HttpMethod.Post, live, "{\"Comment\":\"x\",\"Commands\":[" + Repeat("1,", 1_000_000) + "1]}"),
            ("import of 1M nulls", HttpMethod.Post, "/api/indicators/import", "{\"Indicators\":[" + Repeat("null,", 1_000_000) + "null]}"),
            ("import of 600 items", HttpMethod.Post, "/api/indicators/import",
                "{\"Indicators\":[" + string.Join(",", Enumerable.Repeat(Indicator("203.0.113.7", "IpAddress"), 600)) + "]}"),
            ("10,000 nested arrays", HttpMethod.Post, isolate, "{\"Comment\":" + Repeat("[", 10_000) + Repeat("]", 10_000) + "}"),
            ("10,000 nested objects", HttpMethod.Post, isolate, Repeat("{\"Comment\":", 10_000) + "\"x\"" + Repeat("}", 10_000)),
            ("10,000 unclosed arrays", HttpMethod.Post, "/api/indicators", Repeat("[", 10_000)),
            ("10,000 nested import items", HttpMethod.Post, "/api/indicators/import", "{\"Indicators\":[" + Repeat("[", 10_000) + Repeat("]", 10_000) + "]}"),
            ("64KB $filter", HttpMethod.Get, "/api/machines?$filter=" + Uri.EscapeDataString(Repeat("id eq 'x' or ", 5_000) + "true"), null),
            ("10,000 parentheses", HttpMethod.Get, "/api/machines?$filter=" + Repeat("(", 10_000) + "true" + Repeat(")", 10_000), null),
            ("10,000 nots", HttpMethod.Get, "/api/indicators?$filter=" + Uri.EscapeDataString(Repeat("not ", 10_000) + "true"), null),
            ("1MB $orderby", HttpMethod.Get, "/api/machines?$orderby=" + Repeat("id,", 350_000) + "id", null),
        };

        var random = new Random(seed);
        var result = cases.Select((c, i) => new FuzzCase(-1 - i, "heavy: " + c.Kind, c.Method, c.Path, "Bearer dev-admin",
            c.Body is null ? null : Encoding.UTF8.GetBytes(c.Body), c.Body is null ? null : "application/json", Chunked: false)).ToList();
        var bytes = new byte[3 * 1024 * 1024];
        random.NextBytes(bytes);
        result.Add(new FuzzCase(-100, "heavy: 3MB random bytes", HttpMethod.Post, "/api/indicators/import", "Bearer dev-admin", bytes, "application/json", Chunked: true));
        return result;
    }

    /// <summary>Case <paramref name="index"/> of the sequence.</summary>
    public FuzzCase Case(int index)
    {
        var random = new Random(HashCode.Combine(seed, index));
        // The whole Authorization header: mostly the admin, sometimes a weaker, missing or malformed credential.
        var token = random.Next(100) switch
        {
            < 92 => "Bearer dev-admin",
            < 95 => "Bearer dev-reader",
            < 97 => "Bearer dev-nolive",
            < 98 => null,
            _ => Pick(random, ["Bearer", "Bearer ", "Basic ZGV2LWFkbWluOg==", "bearer dev-admin", "Bearer DEV-ADMIN", "Bearer dev-admin dev-admin"]),
        };

        var kind = random.Next(100);
        if (kind < 22)
        {
            return ODataCase(index, random, token);
        }

        if (kind < 27)
        {
            return PathCase(index, random, token);
        }

        return BodyCase(index, random, token);
    }

    private FuzzCase BodyCase(int index, Random random, string? token)
    {
        var route = random.Next(5);
        var id = random.Next(10) < 8 ? Pick(random, KnownMachineIds) : Uri.EscapeDataString(NoNul(HostileString(random)));
        if (id.Length == 0)
        {
            id = "empty";
        }

        (string path, JsonNode document) = route switch
        {
            0 => ($"/api/machines/{id}/isolate", (JsonNode)new JsonObject { ["Comment"] = "fuzz", ["IsolationType"] = Pick(random, ["Full", "Selective"]) }),
            1 => ($"/api/machines/{id}/unisolate", new JsonObject { ["Comment"] = "fuzz" }),
            2 => ($"/api/machines/{id}/runliveresponse", new JsonObject
            {
                ["Commands"] = new JsonArray(new JsonObject
                {
                    ["type"] = Pick(random, ["RunScript", "GetFile", "PutFile"]),
                    ["params"] = new JsonArray(new JsonObject { ["key"] = "ScriptName", ["value"] = "collect.ps1" }),
                }),
                ["Comment"] = "fuzz",
            }),
            3 => ("/api/indicators", IndicatorNode(random)),
            _ => ("/api/indicators/import", new JsonObject
            {
                ["Indicators"] = new JsonArray([.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => (JsonNode?)IndicatorNode(random))]),
            }),
        };

        var mutations = new List<string>();
        var structural = random.Next(0, 4);
        for (var i = 0; i < structural; i++)
        {
            mutations.Add(MutateTree(random, ref document));
        }

        var duplicate = random.Next(8) == 0;
        if (duplicate)
        {
            mutations.Add("duplicate key");
        }

        var body = Write(document, random, duplicate);
        if (random.Next(100) < 35)
        {
            mutations.Add(MutateBytes(random, ref body));
        }

        var contentType = random.Next(100) switch
        {
            < 75 => "application/json",
            < 80 => null,
            _ => Pick(random, ContentTypes),
        };
        var chunked = random.Next(10) == 0;
        var kind = "body " + path.Split('/')[^1] + (mutations.Count == 0 ? "" : " [" + string.Join(", ", mutations) + "]");
        return new FuzzCase(index, kind, HttpMethod.Post, path, token, body, contentType, chunked);
    }

    private static FuzzCase PathCase(int index, Random random, string? token)
    {
        var id = random.Next(3) == 0 ? Pick(random, KnownMachineIds) : NoNul(HostileString(random));
        var escaped = random.Next(4) == 0 ? RawPathSegment(id) : Uri.EscapeDataString(id);
        if (escaped.Length == 0)
        {
            escaped = "%20";
        }

        return random.Next(4) switch
        {
            0 => new FuzzCase(index, "path indicator delete", HttpMethod.Delete, "/api/indicators/" + escaped, token, null, null, false),
            1 => new FuzzCase(index, "path machine action", HttpMethod.Get, "/api/machineactions/" + escaped, token, null, null, false),
            _ => new FuzzCase(index, "path machine", HttpMethod.Get, "/api/machines/" + escaped, token, null, null, false),
        };
    }

    private FuzzCase ODataCase(int index, Random random, string? token)
    {
        var machines = random.Next(3) != 0;
        var properties = random.Next(10) == 0 ? (machines ? IndicatorProperties : MachineProperties) : (machines ? MachineProperties : IndicatorProperties);
        var options = new List<string>();
        var count = random.Next(1, 5);
        for (var i = 0; i < count; i++)
        {
            var value = random.Next(9) switch
            {
                0 or 1 or 2 => "$filter=" + Filter(random, properties, random.Next(1, 5)),
                3 => "$orderby=" + string.Join(",", Enumerable.Range(0, random.Next(1, 4)).Select(_ =>
                    Operand(random, properties, 2) + Pick(random, ["", " asc", " desc", " DESC", " sideways"]))),
                4 => "$top=" + Number(random),
                5 => "$skip=" + Number(random),
                6 => "$select=" + string.Join(",", Enumerable.Range(0, random.Next(1, 4)).Select(_ => Pick(random, [.. properties, "*", "nosuch", "id/x", ""]))),
                7 => "$count=" + Pick(random, ["true", "false", "TRUE", "1", "yes", ""]),
                _ => Pick(random, ["$expand=machineActions", "$apply=groupby((osPlatform))", "$search=windows", "$format=xml", "$skiptoken=abc",
                    "$foo=1", "$FILTER=id eq 'x'", "$top", "$=1", "filter=id", "$compute=length(id) as n", "$levels=max"]),
            };
            options.Add(Encode(random, value));
        }

        var query = string.Join("&", options);
        var mutation = "";
        if (random.Next(100) < 25)
        {
            mutation = " [" + MutateQuery(random, ref query) + "]";
        }

        var path = (machines ? "/api/machines" : "/api/indicators") + "?" + query;
        return new FuzzCase(index, "odata" + mutation, HttpMethod.Get, path, token, null, null, false);
    }

    private static string Filter(Random random, string[] properties, int depth)
    {
        if (depth <= 0)
        {
            return Operand(random, properties, 0) + " " + Pick(random, Operators) + " " + Literal(random);
        }

        return random.Next(7) switch
        {
            0 => "(" + Filter(random, properties, depth - 1) + ")",
            1 => "not " + Filter(random, properties, depth - 1),
            2 or 3 => Filter(random, properties, depth - 1) + Pick(random, [" and ", " or ", " AND ", " xor ", " "]) + Filter(random, properties, depth - 1),
            4 => Operand(random, properties, 2),
            _ => Operand(random, properties, depth) + " " + Pick(random, Operators) + " " + Operand(random, properties, depth - 1),
        };
    }

    private static string Operand(Random random, string[] properties, int depth) => random.Next(depth <= 0 ? 2 : 4) switch
    {
        0 => Pick(random, properties),
        1 => Literal(random),
        2 => Pick(random, Functions) + "(" + string.Join(",", Enumerable.Range(0, random.Next(0, 4)).Select(_ => Operand(random, properties, depth - 1))) + ")",
        _ => Pick(random, properties) + "/" + Pick(random, ["any(x:x eq 1)", "length", "nosuch", "$count"]),
    };

    private static string Literal(Random random) => random.Next(14) switch
    {
        0 => random.Next(-5, 200).ToString(CultureInfo.InvariantCulture),
        1 => "99999999999999999999999999",
        2 => "'" + HostileString(random).Replace("'", "''", StringComparison.Ordinal) + "'",
        3 => "'" + HostileString(random) + "'",
        4 => "2025-06-02T09:00:00Z",
        5 => "2025-13-45",
        6 => "null",
        7 => Pick(random, ["true", "false", "INF", "-INF", "NaN", "1e309", "-0.0", "1.5m", "3L", "0x1F"]),
        8 => "'" + Pick(random, ["Windows10", "Linux", "macOS", "High", "Active", "Isolated", "NotIsolated"]) + "'",
        9 => "(" + string.Join(",", Enumerable.Range(0, random.Next(0, 4)).Select(_ => "'" + random.Next(1000).ToString(CultureInfo.InvariantCulture) + "'")) + ")",
        10 => "00000000-0000-0000-0000-000000000000",
        11 => "duration'P1D'",
        12 => "@alias",
        _ => "'unterminated",
    };

    private static string Number(Random random) => random.Next(8) switch
    {
        0 => "-1",
        1 => "2147483648",
        2 => "99999999999999999999",
        3 => "abc",
        4 => "1.5",
        5 => "",
        6 => "0",
        _ => random.Next(0, 20).ToString(CultureInfo.InvariantCulture),
    };

    private static string Encode(Random random, string option)
    {
        var equals = option.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            return option;
        }

        var value = option[(equals + 1)..];
        return option[..(equals + 1)] + (random.Next(5) switch
        {
            0 => value.Replace(" ", "%20", StringComparison.Ordinal),
            1 => value.Replace(" ", "+", StringComparison.Ordinal),
            _ => Uri.EscapeDataString(value),
        });
    }

    private static string MutateQuery(Random random, ref string query)
    {
        switch (random.Next(7))
        {
            case 0:
                query = query[..random.Next(query.Length + 1)];
                return "truncated";
            case 1:
                query = query.Insert(random.Next(query.Length + 1), Pick(random, ["%ZZ", "%", "%00", "%C3%28", "%FF%FE", "%ED%A0%80", "%0D%0A", "%E2%80%AE"]));
                return "bad percent-encoding";
            case 2:
                query += "&" + query;
                return "options repeated";
            case 3:
                query = FlipCase(query);
                return "case flipped";
            case 4:
                query = query.Replace("$", "", StringComparison.Ordinal);
                return "no dollar";
            case 5:
                query = query.Insert(random.Next(query.Length + 1), "&&&=&" + Pick(random, ["#frag", "?", ";", "%26"]));
                return "separators";
            default:
                var chars = query.ToCharArray();
                for (var i = 0; i < Math.Min(3, chars.Length); i++)
                {
                    chars[random.Next(chars.Length)] = (char)random.Next(0x21, 0x7f);
                }

                query = new string(chars);
                return "characters replaced";
        }
    }

    private static JsonObject IndicatorNode(Random random)
    {
        var (value, type) = random.Next(7) switch
        {
            0 => ("da39a3ee5e6b4b0d3255bfef95601890afd80709", "FileSha1"),
            1 => ("275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f", "FileSha256"),
            2 => ("44d88612fea8a8f36de82e1278abb02f", "FileMd5"),
            3 => ("fuzz-" + random.Next(1000).ToString(CultureInfo.InvariantCulture) + ".contoso.example", "DomainName"),
            4 => ("203.0.113." + random.Next(256).ToString(CultureInfo.InvariantCulture), "IpAddress"),
            5 => ("https://fuzz.contoso.example/" + random.Next(1000).ToString(CultureInfo.InvariantCulture), "Url"),
            _ => (HostileString(random), Pick(random, ["FileSha1", "FileSha256", "FileMd5", "DomainName", "IpAddress", "Url", "CertificateThumbprint", "Nonsense"])),
        };
        return new JsonObject
        {
            ["indicatorValue"] = value,
            ["indicatorType"] = type,
            ["action"] = Pick(random, ["Alert", "Block", "Warn", "Audit", "AlertAndBlock", "Allowed", "BlockAndRemediate"]),
            ["title"] = "fuzz",
            ["description"] = "fuzz indicator",
            ["severity"] = Pick(random, ["Informational", "Low", "Medium", "High"]),
        };
    }

    /// <summary>One change to the document tree: case flip, deletion, extra key, type swap, hostile value or wrapping.</summary>
    private static string MutateTree(Random random, ref JsonNode document)
    {
        var objects = new List<JsonObject>();
        Collect(document, objects);
        if (objects.Count == 0)
        {
            document = new JsonObject { ["x"] = 1 };
            return "replaced root";
        }

        var target = objects[random.Next(objects.Count)];
        var keys = target.Select(p => p.Key).ToList();
        var key = keys.Count == 0 ? null : keys[random.Next(keys.Count)];
        switch (random.Next(key is null ? 1 : 7))
        {
            case 0:
                var extra = Pick(random, ["extra", "comment", "COMMENT", "Comment ", " Comment", "Comm\u0000ent", "__proto__", "$type", "$id", "isolationtype", "Indicators", "commands"]);
                if (!target.ContainsKey(extra))
                {
                    target[extra] = RandomValue(random, 2);
                }

                return "extra key";
            case 1:
                var value = target[key!];
                target.Remove(key!);
                var flipped = random.Next(2) == 0 ? FlipCase(key!) : key!.ToUpperInvariant();
                if (!target.ContainsKey(flipped))
                {
                    target[flipped] = value;
                }

                return "case flip";
            case 2:
                target.Remove(key!);
                return "key deleted";
            case 3:
            case 4:
                target[key!] = RandomValue(random, 2);
                return "type swap";
            case 5:
                target[key!] = HostileString(random);
                return "hostile value";
            default:
                var inner = target[key!];
                target.Remove(key!);
                target[key!] = new JsonArray(inner);
                return "wrapped in array";
        }
    }

    private static void Collect(JsonNode? node, List<JsonObject> objects)
    {
        switch (node)
        {
            case JsonObject o:
                objects.Add(o);
                foreach (var (_, child) in o)
                {
                    Collect(child, objects);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    Collect(child, objects);
                }

                break;
        }
    }

    private static JsonNode? RandomValue(Random random, int depth) => random.Next(depth <= 0 ? 7 : 9) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(2) == 0),
        2 => JsonValue.Create(random.Next(int.MinValue, int.MaxValue)),
        3 => JsonValue.Create(Raw + Pick(random, ["1e400", "-0", "123456789012345678901234567890", "1.7976931348623157e309", "0.0000001"])),
        4 or 5 => JsonValue.Create(HostileString(random)),
        6 => JsonValue.Create(random.NextDouble()),
        7 => new JsonArray([.. Enumerable.Range(0, random.Next(0, 3)).Select(_ => RandomValue(random, depth - 1))]),
        _ => new JsonObject { ["type"] = RandomValue(random, depth - 1), ["Comment"] = RandomValue(random, depth - 1) },
    };

    private static byte[] Write(JsonNode document, Random random, bool duplicate)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            var duplicated = !duplicate;
            WriteNode(writer, document, random, ref duplicated);
        }

        return stream.ToArray();
    }

    private static void WriteNode(Utf8JsonWriter writer, JsonNode? node, Random random, ref bool duplicated)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject o:
                writer.WriteStartObject();
                foreach (var (key, child) in o)
                {
                    writer.WritePropertyName(key);
                    WriteNode(writer, child, random, ref duplicated);
                    if (!duplicated)
                    {
                        // The same name twice: the second with a different value, so "last wins" and "first wins" differ.
                        duplicated = true;
                        writer.WritePropertyName(key);
                        WriteNode(writer, RandomValue(random, 1), random, ref duplicated);
                    }
                }

                writer.WriteEndObject();
                break;
            case JsonArray a:
                writer.WriteStartArray();
                foreach (var child in a)
                {
                    WriteNode(writer, child, random, ref duplicated);
                }

                writer.WriteEndArray();
                break;
            case JsonValue v when v.TryGetValue<string>(out var text) && text.StartsWith(Raw, StringComparison.Ordinal):
                writer.WriteRawValue(text[Raw.Length..], skipInputValidation: true);
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }

    /// <summary>One change to the bytes: truncation, flipped bytes, invalid UTF-8, a BOM, random or empty bodies, trailing data.</summary>
    private static string MutateBytes(Random random, ref byte[] body)
    {
        switch (random.Next(11))
        {
            case 0:
                body = body[..random.Next(body.Length)];
                return "truncated";
            case 1:
                body = (byte[])body.Clone();
                for (var i = 0; i < random.Next(1, 6); i++)
                {
                    body[random.Next(body.Length)] = (byte)random.Next(256);
                }

                return "bytes flipped";
            case 2:
            case 3:
                var bad = Pick(random, new[] { new byte[] { 0xC3, 0x28 }, [0xFF], [0xFE, 0xFF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0xE2, 0x82] });
                var quote = Array.IndexOf(body, (byte)'"', random.Next(body.Length));
                var at = quote < 0 ? random.Next(body.Length + 1) : quote + 1;
                body = [.. body[..at], .. bad, .. body[at..]];
                return "invalid UTF-8";
            case 4:
                body = [0xEF, 0xBB, 0xBF, .. body];
                return "BOM";
            case 5:
                body = new byte[random.Next(0, 400)];
                random.NextBytes(body);
                return "random bytes";
            case 6:
                body = [];
                return "empty";
            case 7:
                body = Encoding.UTF8.GetBytes(Pick(random, ["null", "[]", "\"text\"", "0", "true", "   ", "{}", "{", "}", "[{}]", "{\"Comment\":}", "{'Comment':'x'}", "{Comment:\"x\"}"]));
                return "other JSON";
            case 8:
                body = [.. body, .. Encoding.UTF8.GetBytes(Pick(random, ["}", ",", " {}", "\0", "// c", "/* c */"]))];
                return "trailing data";
            case 9:
                body = [.. Encoding.UTF8.GetBytes("/* comment */ "), .. body];
                return "leading comment";
            default:
                body = Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(body));
                return "UTF-16 bytes";
        }
    }

    private static string HostileString(Random random) => random.Next(6) switch
    {
        0 => RandomText(random, random.Next(0, 40)),
        1 => RandomText(random, random.Next(120, 400)),
        _ => Pick(random, HostileStrings),
    };

    private static string RandomText(Random random, int length)
    {
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(random.Next(10) switch
            {
                0 => (char)random.Next(0, 0x20),
                1 => (char)random.Next(0x7f, 0xa0),
                2 => (char)random.Next(0x2000, 0x2070),
                3 => (char)random.Next(0x4e00, 0x4f00),
                _ => (char)random.Next('a', 'z' + 1),
            });
        }

        return builder.ToString();
    }

    // Raw characters in a path segment, except those that would split the request or the path.
    private static string RawPathSegment(string value)
    {
        var builder = new StringBuilder();
        foreach (var c in value)
        {
            builder.Append(c is '/' or '?' or '#' or '%' or '\\' || c < 0x21 || c > 0x7e ? Uri.EscapeDataString(c.ToString()) : c.ToString());
        }

        return builder.ToString();
    }

    // Kestrel refuses a path with NUL while parsing the request line, before any middleware (see SecurityTests); TestServer throws.
    private static string NoNul(string value) => value.Replace('\0', '0');

    private static string FlipCase(string value)
    {
        var chars = value.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = char.IsUpper(chars[i]) ? char.ToLowerInvariant(chars[i]) : char.ToUpperInvariant(chars[i]);
        }

        return new string(chars);
    }

    private static string Indicator(string value, string type) =>
        "{\"indicatorValue\":\"" + value + "\",\"indicatorType\":\"" + type + "\",\"action\":\"Alert\",\"title\":\"t\",\"description\":\"d\"}";

    private static string Repeat(string value, int count) => new StringBuilder(value.Length * count).Insert(0, value, count).ToString();

    private static T Pick<T>(Random random, T[] values) => values[random.Next(values.Length)];
}
