using Defender.ErrorMiddleware.OData.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.OData;

namespace Defender.ErrorMiddleware.OData.Tests;

/// <summary>Every class of bad query is 400 ODataError with the parser's reason, through both kinds of endpoint.</summary>
public sealed class ErrorTests(ODataAppFixture fixture) : IClassFixture<ODataAppFixture>
{
    public static TheoryData<string, string, string> BadQueries()
    {
        var data = new TheoryData<string, string, string>();
        (string Query, string Reason)[] cases =
        [
            // Unknown properties (also one hidden by [JsonIgnore], and a CLR name the API does not serialize).
            ("$filter=nosuch eq 1", "Could not find a property named 'nosuch' on type 'Machine'."),
            ("$filter=secret eq 'x'", "Could not find a property named 'secret' on type 'Machine'."),
            ("$filter=GroupName eq 'x'", "Could not find a property named 'GroupName' on type 'Machine'."),
            ("$orderby=nosuch desc", "Could not find a property named 'nosuch' on type 'Machine'."),
            ("$select=id,nosuch", "Could not find a property named 'nosuch' on type 'Machine'."),
            // Syntax and types.
            ("$filter=computerDnsName eq", "Expression expected at position 18 in 'computerDnsName eq'."),
            ("$filter=computerDnsName eq 'abc", "There is an unterminated string literal at position 23 in 'computerDnsName eq 'abc'."),
            ("$filter=riskScore", "The $filter expression must evaluate to a single boolean value."),
            ("$filter=healthStatus eq 'Nope'", "The string 'Nope' is not a valid enumeration type constant."),
            ("$filter=lastSeen lt now()", "The function 'now' is not supported."),
            ("$filter=exposureScore div 0 eq 1", "The operator 'div' divides by zero."),
            ("$filter=substring('abc', 5) eq 'x'", "A part of the query made only of literals cannot be evaluated: ArgumentOutOfRangeException."),
            // Well-formed, but EF Core cannot translate DateTimeOffset members for SQLite.
            ("$filter=year(lastSeen) eq 2024", "The data source cannot translate this query."),
            ("$filter=riskScore ne NaN", "The value NaN is not supported in a query."),
            ("$filter=riskScore gt INF sub INF", "The value NaN is not supported in a query."),
            ("$orderby=id asc asc", "Syntax error at position 10 in 'id asc asc'."),
            // $top, $skip, $count.
            ("$top=-1", "Invalid value '-1' for $top query option found. The $top query option requires a non-negative integer value."),
            ("$top=abc", "Invalid value 'abc' for $top query option found. The $top query option requires a non-negative integer value."),
            ("$top=1.5", "Invalid value '1.5' for $top query option found. The $top query option requires a non-negative integer value."),
            ("$skip=-5", "Invalid value '-5' for $skip query option found. The $skip query option requires a non-negative integer value."),
            ("$skip=x", "Invalid value 'x' for $skip query option found. The $skip query option requires a non-negative integer value."),
            ("$count=yes", "'yes' is not a valid count option."),
            // Unknown and repeated options.
            ("$foo=1", "The query parameter '$foo' is not supported."),
            ("$expand=alerts", "The query parameter '$expand' is not supported."),
            ("$search=alpha", "The query parameter '$search' is not supported."),
            ("$top=1&$top=2", "Query option '$top' was specified more than once, but it must be specified at most once."),
            ("$filter=id eq 1&$FILTER=id eq 2", "Query option '$filter' was specified more than once, but it must be specified at most once."),
            // Limits.
            ("$top=10001", "The limit of '10000' for Top query has been exceeded. The value from the incoming request is '10001'."),
            ("$skip=2147483648", "Invalid value '2147483648' for $skip query option found. The $skip query option must not exceed 2147483647."),
            ("$filter=" + new string('(', 11) + "id eq 1" + new string(')', 11), "The $filter query option nests parentheses deeper than the limit of 10."),
            ("$filter=" + string.Join(" or ", Enumerable.Range(1, 30).Select(i => "id eq " + i)), "The node count limit of '100' has been exceeded in the $filter query option."),
            ("$filter=computerDnsName eq '" + new string('a', 2100) + "'", "The $filter query option is 2121 characters long; the limit is 2048."),
        ];
        foreach (var path in (string[])[ODataTestApp.MinimalApi, ODataTestApp.Controller])
        {
            foreach (var (query, reason) in cases)
            {
                data.Add(path, query, reason);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task BadQuery_IsODataErrorWithTheParsersReason(string path, string query, string reason)
    {
        var response = await fixture.App.GetAsync(path, ODataTestApp.Encode(query));

        await ODataTestApp.AssertODataErrorAsync(response, reason);
    }

    [Fact]
    public async Task BadQuery_LongParserMessage_IsKeptWhole()
    {
        // Parser reasons are bounded at 512 characters, not the 128 of one echoed value: the client needs the whole reason.
        var response = await fixture.App.GetAsync(ODataTestApp.MinimalApi, ODataTestApp.Encode("$filter=foo(id)"));

        const string ParserMessage =
            "An unknown function with name 'foo' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.";
        await ODataTestApp.AssertODataErrorAsync(response, ParserMessage);
    }

    [Fact]
    public async Task BadQuery_HugeEchoedValue_IsBoundedAt512Characters()
    {
        var response = await fixture.App.GetAsync(ODataTestApp.MinimalApi, ODataTestApp.Encode("$top=" + new string('9', 2000)));

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(new string('9', 600), body, StringComparison.Ordinal);
        Assert.Contains("…", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RawODataException_FromApplicationCode_IsODataError()
    {
        await using var app = await ODataTestApp.StartAsync(configureEndpoints: a =>
            a.MapGet("/raw", (HttpContext _) => ThrowODataException("The query specified in the URI is not valid.")));

        var response = await app.Client.GetAsync("/raw");

        await ODataTestApp.AssertODataErrorAsync(response, "The query specified in the URI is not valid.");
    }

    [Fact]
    public async Task RawODataException_WithInnerException_NeverLeaksIt()
    {
        await using var app = await ODataTestApp.StartAsync(configureEndpoints: a =>
            a.MapGet("/raw", (HttpContext _) => ThrowODataException("Bad $filter.\r\nsecret", new InvalidOperationException("stack secret"))));

        var response = await app.Client.GetAsync("/raw");

        await ODataTestApp.AssertODataErrorAsync(response, "Bad $filter.\\r\\nsecret");
    }

    [Fact]
    public async Task RawODataException_WithoutAddDefenderOData_IsInternalServerError()
    {
        await using var app = await ODataTestApp.StartAsync(
            configureEndpoints: a => a.MapGet("/raw", (HttpContext _) => ThrowODataException("not mapped")),
            addDefenderOData: false);

        var response = await app.Client.GetAsync("/raw");

        Assert.Equal(500, (int)response.StatusCode);
        Assert.Equal("""{"error":{"code":"InternalServerError","message":"","target":"<guid>"}}""",
            ODataTestApp.ReplaceTarget(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task BadQuery_WithoutAddDefenderOData_IsStillODataError()
    {
        await using var app = await ODataTestApp.StartAsync(addDefenderOData: false);

        var response = await app.GetAsync(ODataTestApp.MinimalApi, ODataTestApp.Encode("$filter=nosuch eq 1"));

        await ODataTestApp.AssertODataErrorAsync(response, "Could not find a property named 'nosuch' on type 'Machine'.");
    }

    private static IResult ThrowODataException(string message, Exception? inner = null) =>
        throw (inner is null ? new ODataException(message) : new ODataException(message, inner));
}
