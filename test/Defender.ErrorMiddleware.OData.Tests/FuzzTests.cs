using System.Globalization;
using System.Text;
using System.Text.Json;
using Defender.ErrorMiddleware.OData.Tests.Infrastructure;

namespace Defender.ErrorMiddleware.OData.Tests;

/// <summary>
/// A seeded, bounded fuzz: random query strings (generated from the grammar, then mutated) against EF Core on SQLite,
/// through every usage of Microsoft.AspNetCore.OData in turn. Each response is either a 200 collection or the exact
/// ODataError envelope without a trace of the libraries' error shapes; never a 5xx, never anything else.
/// </summary>
public sealed class FuzzTests(ODataAppFixture fixture) : IClassFixture<ODataAppFixture>
{
    private const int Seed = 20_261_122;
    private const int Iterations = 3_500;

    private static readonly string[] Properties =
    [
        "id", "computerDnsName", "osPlatform", "healthStatus", "riskScore", "exposureScore", "lastSeen", "firstSeen",
        "isAadJoined", "rbacGroupName", "capabilities", "secret", "nosuch", "$it", "Id", "GroupName", "machineTags", "alerts",
    ];

    private static readonly string[] Literals =
    [
        "0", "1", "-1", "42", "2147483647", "2147483648", "-2147483649", "9223372036854775807", "99999999999999999999", "1.5", "-0.0",
        "1e308", "1e400", "INF", "-INF", "NaN", "1.5m", "3L", "'x'", "''", "'it''s'", "'contoso'", "'%'", "'_'", "'Active'", "'Nope'",
        "null", "true", "false", "2024-01-01T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01", "12:30:00", "duration'P1D'",
        "Default.HealthStatus'Inactive'", "Default.MachineCapability'Scan'", "Default.MachineCapability'Scan,Isolate'",
        "01234567-89ab-cdef-0123-456789abcdef", "binary'AAEC'", "geography'POINT(1 2)'", "@alias", "$it",
    ];

    private static readonly string[] BinaryOperators = ["eq", "ne", "gt", "ge", "lt", "le", "and", "or", "add", "sub", "mul", "div", "mod", "has", "in"];

    private static readonly string[] Functions =
    [
        "contains", "startswith", "endswith", "indexof", "tolower", "toupper", "trim", "length", "concat", "substring",
        "year", "month", "day", "hour", "minute", "second", "round", "floor", "ceiling",
        "now", "date", "time", "cast", "isof", "totaloffsetminutes", "fractionalseconds", "maxdatetime", "geo.distance", "matchesPattern", "nosuch",
    ];

    private static readonly string[] OptionNames =
        ["$filter", "$orderby", "$top", "$skip", "$select", "$count", "$expand", "$search", "$apply", "$FILTER", "$Top", "$", "$$", "filter", "$skiptoken"];

    private const string MutationCharacters = "()',$=&%+ -:.0123456789aezAZ@/*\\\"\t\u00e9\u2028";

    [Fact]
    public async Task RandomQueries_AreResultsOrODataErrors_NeverServerErrors()
    {
        var random = new Random(Seed);
        var failures = new List<string>();
        var outcomes = new Dictionary<int, int>();
        for (var i = 0; i < Iterations && failures.Count < 10; i++)
        {
            var query = RandomQuery(random);
            var path = ODataTestApp.ListUsages[i % ODataTestApp.ListUsages.Length];
            using var response = await fixture.App.Client.GetAsync(path + "?" + query);
            var status = (int)response.StatusCode;
            outcomes[status] = outcomes.GetValueOrDefault(status) + 1;
            var body = await response.Content.ReadAsStringAsync();
            if (Check(status, body) is { } problem)
            {
                failures.Add($"{path}?{query} -> {status} {body} ({problem})");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // The fuzz is only worth something if it reaches both outcomes often.
        Assert.True(outcomes.GetValueOrDefault(200) > Iterations / 10, "Too few successful queries: " + string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault(400) > Iterations / 10, "Too few rejected queries: " + string.Join(", ", outcomes));
    }

    private static string? Check(int status, string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (status == 200)
            {
                // The OData shape, or a plain JSON array where the app returns the IQueryable as JSON.
                return root.ValueKind == JsonValueKind.Array || (root.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.Array)
                    ? null
                    : "no value array";
            }

            if (status != 400)
            {
                return "unexpected status";
            }

            var error = root.GetProperty("error");
            var names = error.EnumerateObject().Select(p => p.Name).ToArray();
            var ok = root.EnumerateObject().Count() == 1
                && names.SequenceEqual(["code", "message", "target"])
                && error.GetProperty("code").GetString() == "ODataError"
                && error.GetProperty("message").GetString()!.StartsWith("Invalid OData URI query: ", StringComparison.Ordinal)
                && Guid.TryParseExact(error.GetProperty("target").GetString(), "D", out _)
                && !error.GetProperty("target").GetString()!.Any(char.IsUpper);
            ODataTestApp.AssertNoLeak(body);
            return ok ? null : "not an ODataError envelope";
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or Xunit.Sdk.XunitException)
        {
            return exception.GetType().Name;
        }
    }

    private static string RandomQuery(Random random)
    {
        var parts = new List<(string Name, string Value)>();
        var count = random.Next(1, 4);
        for (var i = 0; i < count; i++)
        {
            var name = random.Next(10) == 0 ? OptionNames[random.Next(OptionNames.Length)] : OptionNames[random.Next(7)];
            var value = name.ToLowerInvariant() switch
            {
                "$filter" => Expression(random, random.Next(4)),
                "$orderby" => string.Join(",", Enumerable.Range(0, random.Next(1, 4))
                    .Select(_ => Expression(random, random.Next(2)) + (random.Next(3) switch { 0 => " asc", 1 => " desc", _ => "" }))),
                "$top" or "$skip" => random.Next(4) == 0 ? Literals[random.Next(Literals.Length)] : random.Next(-5, 12_000).ToString(CultureInfo.InvariantCulture),
                "$select" => random.Next(8) == 0 ? "*" : string.Join(",", Enumerable.Range(0, random.Next(1, 4)).Select(_ => Properties[random.Next(Properties.Length)])),
                "$count" => random.Next(4) switch { 0 => "true", 1 => "false", 2 => "TRUE", _ => "yes" },
                "$expand" => random.Next(5) switch
                {
                    0 => "alerts",
                    1 => "alerts($select=title)",
                    2 => "alerts($filter=severity eq 'High';$orderby=id desc)",
                    3 => "alerts($expand=machine)",
                    _ => Properties[random.Next(Properties.Length)],
                },
                _ => Expression(random, 1),
            };
            if (random.Next(4) == 0)
            {
                value = Mutate(random, value);
            }

            parts.Add((name, value));
        }

        return string.Join("&", parts.Select(p => Uri.EscapeDataString(p.Name).Replace("%24", "$", StringComparison.Ordinal) + "=" + Uri.EscapeDataString(p.Value)));
    }

    private static string Expression(Random random, int depth)
    {
        if (depth <= 0)
        {
            return random.Next(2) == 0 ? Properties[random.Next(Properties.Length)] : Literals[random.Next(Literals.Length)];
        }

        switch (random.Next(6))
        {
            case 0:
            case 1:
                var op = BinaryOperators[random.Next(BinaryOperators.Length)];
                var right = op == "in"
                    ? "(" + string.Join(",", Enumerable.Range(0, random.Next(1, 4)).Select(_ => Literals[random.Next(Literals.Length)])) + ")"
                    : Expression(random, depth - 1);
                return Expression(random, depth - 1) + " " + op + " " + right;
            case 2:
                return (random.Next(2) == 0 ? "not " : "-") + Expression(random, depth - 1);
            case 3:
                return "(" + Expression(random, depth - 1) + ")";
            case 4:
                var function = Functions[random.Next(Functions.Length)];
                var arguments = Enumerable.Range(0, random.Next(0, 4)).Select(_ => Expression(random, depth - 1));
                return function + "(" + string.Join(",", arguments) + ")";
            default:
                // A well-typed comparison, so that many queries get as far as the database.
                return random.Next(10) switch
                {
                    8 => Functions[random.Next(19)] + "(" + Properties[random.Next(11)] + ") " + BinaryOperators[random.Next(6)] + " " + Literals[random.Next(Literals.Length)],
                    9 => Functions[random.Next(19)] + "(" + Properties[random.Next(11)] + "," + Literals[random.Next(Literals.Length)] + ")",
                    0 => "riskScore " + BinaryOperators[random.Next(6)] + " " + random.Next(-10, 120),
                    1 => "contains(computerDnsName,'" + (char)('a' + random.Next(26)) + "')",
                    2 => "healthStatus eq '" + (random.Next(2) == 0 ? "Active" : "Inactive") + "'",
                    3 => "lastSeen " + BinaryOperators[random.Next(6)] + " 2024-0" + random.Next(1, 10) + "-01T00:00:00Z",
                    4 => "exposureScore " + BinaryOperators[8 + random.Next(5)] + " " + random.Next(0, 4) + " " + BinaryOperators[random.Next(6)] + " " + random.Next(0, 100),
                    5 => "length(osPlatform) " + BinaryOperators[random.Next(6)] + " " + random.Next(0, 12),
                    6 => random.Next(2) == 0 ? "year(firstSeen) eq " + random.Next(2019, 2026) : "machineTags/any(t: t eq '" + (random.Next(2) == 0 ? "vip" : "mac") + "')",
                    7 => "alerts/any(a: a/severity eq 'High')",
                    _ => "capabilities has '" + (random.Next(2) == 0 ? "Scan" : "Isolate") + "'",
                };
        }
    }

    private static string Mutate(Random random, string value)
    {
        var builder = new StringBuilder(value);
        var edits = random.Next(1, 4);
        for (var i = 0; i < edits; i++)
        {
            var position = random.Next(builder.Length + 1);
            if (random.Next(2) == 0 && builder.Length > 0 && position < builder.Length)
            {
                builder.Remove(position, 1);
            }
            else
            {
                builder.Insert(position, MutationCharacters[random.Next(MutationCharacters.Length)]);
            }
        }

        return builder.ToString();
    }
}
