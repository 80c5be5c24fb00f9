using Defender.ErrorMiddleware.OData.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware.OData.Tests;

/// <summary>
/// Security finding: <c>$apply</c>, <c>$compute</c> and <c>$search</c>, which Defender documents none of, were accepted; a
/// 2,023-character <c>$compute</c> of 100 <c>concat</c> leaves sorted on took 3.2 s (here, 100 leaves of <c>osPlatform</c>: 1,896 characters). They are refused before anything is
/// parsed unless the application allows them (<see cref="DefenderODataOptions.AllowApply"/>, …).
/// </summary>
public sealed class AdvancedQueryOptionTests(ODataAppFixture fixture) : IClassFixture<ODataAppFixture>
{
    /// <summary>The query: 100 leaves of <c>concat</c> computed, then sorted on.</summary>
    public static readonly string HundredLeafCompute =
        "$compute=" + string.Concat(Enumerable.Repeat("concat(osPlatform,", 99)) + "osPlatform" + new string(')', 99) + " as x&$orderby=x&$top=1";

    /// <summary>
    /// Every usage that validates with Defender's limits (the library's own endpoint filter and a bare ApplyTo validate with the
    /// library's settings).
    /// </summary>
    public static TheoryData<string> Usages() =>
        [ODataTestApp.MinimalResult, ODataTestApp.MinimalDefenderFilter, ODataTestApp.MvcEnableQuery, ODataTestApp.MvcQueryOptions, ODataTestApp.MvcResult, ODataTestApp.ODataRouted];

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var path in Usages())
        {
            data.Add(path, "$apply=groupby((osPlatform))", "$apply");
            data.Add(path, "$apply=aggregate(riskScore with sum as total)", "$apply");
            data.Add(path, HundredLeafCompute, "$compute");
            data.Add(path, "$COMPUTE=riskScore mul 2 as doubled", "$compute");
            data.Add(path, "$search=alpha", "$search");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task UndocumentedOption_IsRefused_ByDefault(string path, string query, string option)
    {
        var response = await fixture.App.GetAsync(path, ODataTestApp.Encode(query));

        await fixture.App.AssertODataErrorAsync(response, "The " + option + " query option is not supported.");
        Assert.Empty(fixture.App.Sql.Commands);
    }

    [Theory]
    [MemberData(nameof(Usages))]
    public async Task Compute_IsApplied_WhenTheApplicationAllowsIt(string path)
    {
        await using var app = await ODataTestApp.StartAsync(configureServices: s => s.AddDefenderOData(o => o.AllowCompute = true));

        var response = await app.GetAsync(path, ODataTestApp.Encode("$compute=riskScore mul 2 as doubled&$filter=doubled gt 100&$orderby=id&$select=id"));

        Assert.Equal(new[] { 2, 3, 5 }, await ODataTestApp.ReadIdsAsync(response));
        await app.AssertODataErrorAsync(await app.GetAsync(path, ODataTestApp.Encode("$apply=groupby((osPlatform))")),
            "The $apply query option is not supported.");
    }
}
