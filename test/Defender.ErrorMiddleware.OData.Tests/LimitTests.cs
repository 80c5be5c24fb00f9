using Defender.ErrorMiddleware.OData.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware.OData.Tests;

/// <summary>The limits come from <see cref="DefenderODataOptions"/>.</summary>
public sealed class LimitTests
{
    [Theory]
    [InlineData(ODataTestApp.MinimalApi)]
    [InlineData(ODataTestApp.Controller)]
    public async Task MaxTop_LimitsResults_WhenNoTopIsSent(string path)
    {
        await using var app = await ODataTestApp.StartAsync(s => s.AddDefenderOData(o => o.MaxTop = 4));

        var response = await app.GetAsync(path, ODataTestApp.Encode("$orderby=id desc"));

        var ids = await ODataTestApp.ReadIdsAsync(response);
        Assert.Equal([6, 5, 4, 3], ids);
    }

    [Fact]
    public async Task MaxTop_IsODataError_WhenExceeded()
    {
        await using var app = await ODataTestApp.StartAsync(s => s.AddDefenderOData(o => o.MaxTop = 4));

        var response = await app.GetAsync(ODataTestApp.Controller, "$top=5");

        await ODataTestApp.AssertODataErrorAsync(response,
            "The limit of '4' for Top query has been exceeded. The value from the incoming request is '5'.");
    }

    [Theory]
    [InlineData("$filter=id eq 1 or id eq 2", "The node count limit of '6' has been exceeded in the $filter query option.")]
    [InlineData("$orderby=id,riskScore,healthStatus,lastSeen,osPlatform,exposureScore,firstSeen",
        "The node count limit of '6' has been exceeded in the $orderby query option.")]
    [InlineData("$filter=(id eq 1)", "The $filter query option nests parentheses deeper than the limit of 0.")]
    [InlineData("$select=id,computerDnsName,osPlatform,healthStatus,riskScore,exposureScore,lastSeen,firstSeen",
        "The $select query option is 85 characters long; the limit is 75.")]
    public async Task Limits_AreODataErrors_WhenExceeded(string query, string reason)
    {
        await using var app = await ODataTestApp.StartAsync(s => s.AddDefenderOData(o =>
        {
            o.MaxNodeCount = 6;
            o.MaxNestingDepth = 0;
            o.MaxOptionLength = 75;
        }));

        var response = await app.GetAsync(ODataTestApp.MinimalApi, ODataTestApp.Encode(query));

        await ODataTestApp.AssertODataErrorAsync(response, reason);
    }

    [Fact]
    public async Task Nesting_IgnoresParenthesesInsideStringLiterals()
    {
        await using var app = await ODataTestApp.StartAsync(s => s.AddDefenderOData(o => o.MaxNestingDepth = 1));

        var response = await app.GetAsync(ODataTestApp.MinimalApi, ODataTestApp.Encode("$filter=contains(computerDnsName, '((((''(((')"));

        var ids = await ODataTestApp.ReadIdsAsync(response);
        Assert.Empty(ids);
    }
}
