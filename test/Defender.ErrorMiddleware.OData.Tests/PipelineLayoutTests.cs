using System.Net;
using Defender.ErrorMiddleware.OData.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware.OData.Tests;

/// <summary>
/// Defender's OData limits under the pipeline layouts applications write (implicit and explicit routing, authentication, an
/// app middleware that answers first, <c>UseExceptionHandler()</c>), through minimal APIs (<c>ToDefenderResult</c>, an
/// <c>ODataQueryOptions&lt;T&gt;</c> parameter) and controllers (<c>[EnableQuery]</c>, an <c>ODataQueryOptions</c> parameter, an
/// OData route): the same envelope, status and headers, and one log line with the body's target, whatever the layout.
/// </summary>
public sealed class PipelineLayoutTests
{
    private const string OverBudget =
        "The query has more than 100 nodes (properties, literals, operators and function calls) in $filter, $orderby, $compute, $select and $expand together.";

    private const string OperandTypes = "An operator or function in the query does not apply to the types of its operands.";

    /// <summary>The usages that hold a query to Defender's limits.</summary>
    private static readonly string[] LimitedUsages =
        [ODataTestApp.MinimalResult, ODataTestApp.MinimalDefenderFilter, ODataTestApp.MvcEnableQuery, ODataTestApp.MvcQueryOptions, ODataTestApp.ODataRouted];

    /// <summary>The cases: the node budget, a refused option, the parser's internal-error text; query and reason.</summary>
    private static readonly (string Query, string Reason)[] Cases =
    [
        (NodeBudgetTests.HundredLeafOrderBy, OverBudget),
        ("$compute=concat(computerDnsName,'x') as y&$select=y", "The $compute query option is not supported."),
        ("$filter=riskScore has 'High'", OperandTypes),
    ];

    public static TheoryData<string, string> Matrix()
    {
        var data = new TheoryData<string, string>();
        foreach (var layout in PipelineLayouts.All)
        {
            foreach (var path in LimitedUsages)
            {
                data.Add(layout, path);
            }
        }

        return data;
    }

    public static TheoryData<string> Layouts() => [.. PipelineLayouts.All];

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Limits_AnswerTheSameEnvelopeAndOneLogLine_InEveryLayout(string layout, string path)
    {
        await using var app = await ODataTestApp.StartAsync(layout: layout);
        app.Client.DefaultRequestHeaders.Add(PipelineLayouts.ApiKeyHeader, "key");

        foreach (var (query, reason) in Cases)
        {
            var response = await app.GetAsync(path, ODataTestApp.Encode(query));
            await AssertODataErrorAsync(app, response, reason, $"{layout} {path} {query}");
        }

        var ids = await ODataTestApp.ReadIdsAsync(await app.GetAsync(path, "$top=2&$select=id&$orderby=id"));
        Assert.Equal([1, 2], ids);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task BareApplyTo_MapsTheParsersInternalErrorText_InEveryLayout(string layout)
    {
        // A minimal API's ODataQueryOptions<T> parameter applied by the handler: the parser's refusal is still ODataError.
        await using var app = await ODataTestApp.StartAsync(layout: layout);
        app.Client.DefaultRequestHeaders.Add(PipelineLayouts.ApiKeyHeader, "key");

        var response = await app.GetAsync(ODataTestApp.MinimalApplyTo, ODataTestApp.Encode("$filter=riskScore has 'High'"));

        await AssertODataErrorAsync(app, response, OperandTypes, layout);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task WorstQuery_IsCutAtTheTimeBudget_InEveryLayout(string layout)
    {
        var budget = TimeSpan.FromMilliseconds(1);
        await using var app = await QueryTimeBudgetTests.StartAsync("layout", budget, layout);
        app.Client.DefaultRequestHeaders.Add(PipelineLayouts.ApiKeyHeader, "key");

        foreach (var path in LimitedUsages)
        {
            var response = await app.GetAsync(path, ODataTestApp.Encode(QueryTimeBudgetTests.Worst));

            // EF Core logs the interrupted SQLite command at Error; the core logs the answer once.
            await AssertODataErrorAsync(app, response, QueryTimeBudgetTests.TimedOutMessage(budget)["Invalid OData URI query: ".Length..],
                $"{layout} {path}", allowDatabaseErrors: true);
        }
    }

    [Theory]
    [InlineData(ODataTestApp.MinimalResult)]
    [InlineData(ODataTestApp.MinimalApplyTo)]
    [InlineData(ODataTestApp.MvcEnableQuery)]
    [InlineData(ODataTestApp.MvcQueryOptions)]
    [InlineData(ODataTestApp.ODataRouted)]
    public async Task AppMiddlewareThatAnswersFirst_BeatsABadQuery(string path)
    {
        // No API key: the app's own 401, never a verdict on the query (and nothing reaches the database).
        await using var app = await ODataTestApp.StartAsync(layout: PipelineLayouts.ApiKey);
        using var anonymous = app.App.GetTestClient();
        app.Logs.Clear();
        app.Sql.Clear();

        var response = await anonymous.GetAsync(path + "?" + ODataTestApp.Encode(NodeBudgetTests.HundredLeafOrderBy));

        var target = await DefenderEnvelope.AssertErrorAsync(response, HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized");
        AssertLoggedOnce(app, target, allowDatabaseErrors: false);
        Assert.Empty(app.Sql.Commands);
    }

    /// <summary>
    /// The exact envelope, status and headers (behind <c>UseExceptionHandler()</c> a thrown error also carries the framework's
    /// no-cache), and one log line with the target.
    /// </summary>
    private static async Task AssertODataErrorAsync(ODataTestApp app, HttpResponseMessage response, string reason, string because, bool allowDatabaseErrors = false)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{because}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.StartsWith("no-store", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
        Assert.Equal(["ODataError"], response.Headers.GetValues("x-ms-error-code"));
        var target = DefenderEnvelope.AssertBody(body, "ODataError", "Invalid OData URI query: " + reason);
        ODataTestApp.AssertNoLeak(body);
        AssertLoggedOnce(app, target, allowDatabaseErrors);
    }

    private static void AssertLoggedOnce(ODataTestApp app, Guid target, bool allowDatabaseErrors)
    {
        var records = app.Logs.GetSnapshot();
        var entry = Assert.Single(records, r => r.Message.Contains(target.ToString("D"), StringComparison.Ordinal));
        Assert.Equal("DefenderClientError", entry.Id.Name);
        if (!allowDatabaseErrors)
        {
            Assert.DoesNotContain(records, r => r.Level >= LogLevel.Error);
        }

        app.Logs.Clear();
    }
}
