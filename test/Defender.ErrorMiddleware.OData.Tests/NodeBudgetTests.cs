using Defender.ErrorMiddleware.OData.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware.OData.Tests;

/// <summary>
/// Security finding: only <c>$filter</c> was bounded by the node limit; a single <c>$orderby</c> key of 100 leaves was
/// accepted (8.2 s) and so was a computed property of 100 leaves. One budget (<see cref="DefenderODataOptions.MaxNodeCount"/>)
/// now covers <c>$filter</c>, <c>$orderby</c>, <c>$compute</c> and <c>$select</c>/<c>$expand</c> together.
/// </summary>
public sealed class NodeBudgetTests(ODataAppFixture fixture) : IClassFixture<ODataAppFixture>
{
    private const string OverBudget =
        "The query has more than 100 nodes (properties, literals, operators and function calls) in $filter, $orderby, $compute, $select and $expand together.";

    /// <summary>One <c>$orderby</c> key: 100 leaves added up.</summary>
    public static readonly string HundredLeafOrderBy = "$orderby=" + string.Join(" add ", Enumerable.Repeat("riskScore", 100)) + "&$top=1";

    /// <summary>16 comparisons: under the library's own $filter limit of 100 nodes.</summary>
    private static readonly string SixteenComparisons = string.Join(" or ", Enumerable.Range(1, 16).Select(i => "id eq " + i));

    /// <summary>10 leaves: a small key on its own.</summary>
    private static readonly string TenLeafKey = string.Join(" add ", Enumerable.Repeat("riskScore", 10));

    public static TheoryData<string> Usages() => [.. AdvancedQueryOptionTests.Usages()];

    [Theory]
    [MemberData(nameof(Usages))]
    public async Task HundredLeafOrderBy_IsRefused_BeforeTheDatabaseRuns(string path)
    {
        var response = await fixture.App.GetAsync(path, ODataTestApp.Encode(HundredLeafOrderBy));

        await fixture.App.AssertODataErrorAsync(response, OverBudget);
        Assert.Empty(fixture.App.Sql.Commands);
    }

    [Theory]
    [MemberData(nameof(Usages))]
    public async Task FilterAndOrderBy_ShareOneBudget(string path)
    {
        Assert.Equal(200, (int)(await fixture.App.GetAsync(path, ODataTestApp.Encode("$filter=" + SixteenComparisons))).StatusCode);
        Assert.Equal(200, (int)(await fixture.App.GetAsync(path, ODataTestApp.Encode("$orderby=" + TenLeafKey))).StatusCode);

        var response = await fixture.App.GetAsync(path, ODataTestApp.Encode("$filter=" + SixteenComparisons + "&$orderby=" + TenLeafKey));

        await fixture.App.AssertODataErrorAsync(response, OverBudget);
    }

    [Theory]
    [MemberData(nameof(Usages))]
    public async Task NestedExpandFilter_CountsTowardsTheBudget(string path)
    {
        Assert.Equal(200, (int)(await fixture.App.GetAsync(path, ODataTestApp.Encode("$expand=alerts($filter=" + SixteenComparisons + ")"))).StatusCode);

        var response = await fixture.App.GetAsync(path, ODataTestApp.Encode("$filter=" + SixteenComparisons + "&$expand=alerts($filter=" + SixteenComparisons + ")"));

        await fixture.App.AssertODataErrorAsync(response, OverBudget);
    }

    [Theory]
    [MemberData(nameof(Usages))]
    public async Task ComputeOverTheBudget_IsRefused_WhenComputeIsAllowed(string path)
    {
        await using var app = await ODataTestApp.StartAsync(configureServices: s => s.AddDefenderOData(o => o.AllowCompute = true));

        // The issue's query: over the budget; [EnableQuery]'s own parse already stops at its function-call depth limit.
        var issue = await app.GetAsync(path, ODataTestApp.Encode(AdvancedQueryOptionTests.HundredLeafCompute));
        var body = await issue.Content.ReadAsStringAsync();
        Assert.Equal(400, (int)issue.StatusCode);
        Assert.Contains("\"code\":\"ODataError\"", body, StringComparison.Ordinal);
        Assert.Empty(app.Sql.Commands);

        // 40 leaves added up, sorted on: no nesting limit is near, the budget is what refuses it.
        var sum = await app.GetAsync(path, ODataTestApp.Encode("$compute=" + string.Join(" add ", Enumerable.Repeat("riskScore", 40)) + " as x&$orderby=x&$top=1"));
        await app.AssertODataErrorAsync(sum, OverBudget);
        Assert.Empty(app.Sql.Commands);
    }

    [Fact]
    public async Task ConfiguredNodeCount_IsTheBudget()
    {
        await using var app = await ODataTestApp.StartAsync(configureServices: s => s.AddDefenderOData(o => o.MaxNodeCount = 300));

        var response = await app.GetAsync(ODataTestApp.MinimalResult, ODataTestApp.Encode(HundredLeafOrderBy));

        Assert.Equal(200, (int)response.StatusCode);
    }
}
