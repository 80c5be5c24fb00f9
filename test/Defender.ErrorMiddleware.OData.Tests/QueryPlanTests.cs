using System.Net;
using Defender.ErrorMiddleware.OData.Internal;
using Defender.ErrorMiddleware.OData.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware.OData.Tests;

/// <summary>
/// <c>ToDefenderResult</c> replays the LINQ the library built for a query text it has run on the endpoint before: the
/// second answer is the first one, byte for byte, from the same SQL, and a query text the library refused is refused again.
/// </summary>
public sealed class QueryPlanTests
{
    public static TheoryData<string, string> Queries() => new()
    {
        { ODataTestApp.MinimalResult, "$filter=healthStatus eq 'Active' and startswith(computerDnsName,'a')&$orderby=lastSeen desc&$top=100" },
        { ODataTestApp.MinimalResult, "$filter=healthStatus eq 'Active'&$count=true&$top=1&$select=id" },
        { ODataTestApp.MinimalResult, "$filter=id eq 1&$select=id&$expand=alerts($select=title;$orderby=id desc)" },
        { ODataTestApp.MinimalResult, "$filter=machineTags/any(t: t eq 'vip')&$orderby=riskScore desc&$skip=1" },
        { ODataTestApp.MinimalResult, "" },
        { ODataTestApp.MvcResult, "$filter=riskScore gt 10&$count=true&$select=id,computerDnsName" },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Replay_AnswersAsTheLibraryDid_WithTheSameSql(string path, string query)
    {
        await using var app = await ODataTestApp.StartAsync();
        var first = await app.GetAsync(path, ODataTestApp.Encode(query));
        var firstBody = await first.Content.ReadAsStringAsync();
        var firstSql = app.Sql.Commands;
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        for (var i = 0; i < 2; i++)
        {
            var again = await app.GetAsync(path, ODataTestApp.Encode(query));

            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal(firstBody, await again.Content.ReadAsStringAsync());
            Assert.Equal(firstSql, app.Sql.Commands);
        }
    }

    [Fact]
    public async Task Replay_IsUsed_ForTheSameQueryText_AndNotForAnother()
    {
        await using var app = await ODataTestApp.StartAsync();
        var plans = app.App.Services.GetRequiredService<ODataQueryPlanCache>();
        await app.GetAsync(ODataTestApp.MinimalResult, ODataTestApp.Encode("$filter=riskScore gt 10"));
        var compiled = app.Sql.Compilations;
        var replayed = await app.GetAsync(ODataTestApp.MinimalResult, ODataTestApp.Encode("$filter=riskScore gt 10"));
        var other = await app.GetAsync(ODataTestApp.MinimalResult, ODataTestApp.Encode("$filter=riskScore gt 55"));

        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        var ids = await ODataTestApp.ReadIdsAsync(other);
        Assert.Equal([3, 5], ids);
        Assert.Equal(2, CountPlans(plans));
        // No EF Core compilation after the first: the replayed LINQ keeps the library's parameters.
        Assert.Equal(compiled, app.Sql.Compilations);
    }

    [Fact]
    public async Task Replay_RunsOnEachRequestsOwnSource()
    {
        // The source is the handler's (here restricted per request, as a tenant filter would be); the plan only replaces it.
        await using var app = await ODataTestApp.StartAsync(configureEndpoints: a => a.MapGet("/api/restricted/machines",
            (ODataQueryOptions<Machine> query, MachineDb db, HttpRequest request) =>
            {
                var max = int.Parse(request.Headers["X-Max-Id"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
                return query.ToDefenderResult(db.Machines.AsNoTracking().Where(m => m.Id <= max));
            }));

        int[][] answers = [await IdsAsync(app, 6), await IdsAsync(app, 3), await IdsAsync(app, 1), await IdsAsync(app, 6)];

        Assert.Equal([[2, 3, 5, 6], [2, 3], [], [2, 3, 5, 6]], answers);
    }

    private static async Task<int[]> IdsAsync(ODataTestApp app, int maxId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/restricted/machines?" + ODataTestApp.Encode("$filter=riskScore gt 20&$orderby=id"));
        request.Headers.Add("X-Max-Id", maxId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ODataTestApp.ReadIdsAsync(response);
    }

    [Fact]
    public async Task Replay_NeverSkipsValidation_OfARefusedQuery()
    {
        await using var app = await ODataTestApp.StartAsync(configureServices: s => s.AddDefenderOData(o => o.MaxTop = 3));
        for (var i = 0; i < 3; i++)
        {
            var response = await app.GetAsync(ODataTestApp.MinimalResult, "$top=4");
            await app.AssertODataErrorAsync(response,
                "The limit of '3' for Top query has been exceeded. The value from the incoming request is '4'.");
        }

        Assert.Equal(0, CountPlans(app.App.Services.GetRequiredService<ODataQueryPlanCache>()));
    }

    [Fact]
    public async Task Replay_KeepsPagingAndTheByteBudget()
    {
        await using var app = await ODataTestApp.StartAsync(configureServices: s => s.AddDefenderOData(o => { o.PageSize = 4; o.MaxPageBytes = 200; }));
        for (var i = 0; i < 3; i++)
        {
            var response = await app.GetAsync(ODataTestApp.MinimalResult, "$orderby=riskScore desc&$select=id");

            Assert.Equal(
                """{"@odata.context":"http://localhost/api/$metadata#Machines","value":[{"id":5},{"id":3},{"id":2},{"id":6}],"@odata.nextLink":"http://localhost/api/machines?$orderby=riskScore%20desc&$select=id&$skip=4"}""",
                await response.Content.ReadAsStringAsync());
        }
    }

    private static int CountPlans(ODataQueryPlanCache plans) => plans.Count;
}
