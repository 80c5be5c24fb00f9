using Defender.ErrorMiddleware.OData.Tests.Infrastructure;

namespace Defender.ErrorMiddleware.OData.Tests;

/// <summary>Each operator and option, run by EF Core on SQLite, through a minimal API endpoint and a controller.</summary>
public sealed class QueryTests(ODataAppFixture fixture) : IClassFixture<ODataAppFixture>
{
    public static TheoryData<string, string, int[]> Filters()
    {
        var data = new TheoryData<string, string, int[]>();
        (string Filter, int[] Ids)[] cases =
        [
            ("healthStatus eq 'Active'", [1, 3, 5]),
            ("healthStatus eq Default.HealthStatus'Inactive'", [2, 6]),
            ("healthStatus ne 'Active'", [2, 4, 6]),
            ("riskScore gt 55", [3, 5]),
            ("riskScore ge 55", [2, 3, 5]),
            ("riskScore lt 10.5", [4]),
            ("riskScore le 10.5", [1, 4]),
            ("exposureScore eq null", [2]),
            ("exposureScore ne null and exposureScore lt 40", [1, 4]),
            ("osPlatform eq null", [4]),
            ("healthStatus eq 'Active' and isAadJoined eq true", [1, 3, 5]),
            ("riskScore gt 90 or osPlatform eq 'Linux'", [3, 5]),
            ("not (healthStatus eq 'Active')", [2, 4, 6]),
            ("isAadJoined", [1, 3, 5]),
            ("isAadJoined eq false", [2, 4, 6]),
            ("exposureScore add 10 gt 80", [3, 5]),
            ("exposureScore sub 2 eq 40", [6]),
            ("exposureScore mul 2 eq 60", [1]),
            ("exposureScore div 2 eq 37", [3]),
            ("exposureScore mod 2 eq 1", [3]),
            ("riskScore div 2 gt 40", [3, 5]),
            ("-riskScore lt -90", [5]),
            ("(riskScore add 0.5) mul 2 eq 22", [1]),
            ("contains(computerDnsName, 'contoso')", [1, 2, 5]),
            ("startswith(computerDnsName, 'g')", [3]),
            ("endswith(computerDnsName, '.local')", [6]),
            // EF Core keeps C#'s null semantics here: a null osPlatform does not contain 'Windows'.
            ("not contains(osPlatform, 'Windows')", [3, 4, 6]),
            ("tolower(osPlatform) eq 'linux'", [3]),
            ("toupper(rbacGroupName) eq 'IT'", [4, 5]),
            ("length(computerDnsName) eq 10", [6]),
            ("indexof(computerDnsName, 'a') eq 0", [1]),
            ("substring(computerDnsName, 1, 4) eq 'lpha'", [1]),
            ("substring(computerDnsName, 5) eq 'local'", [6]),
            ("concat(osPlatform, 'x') eq 'Linuxx'", [3]),
            ("trim(rbacGroupName) eq 'Sales'", [6]),
            ("osPlatform in ('Linux', 'macOS')", [3, 6]),
            ("id in (1, 4)", [1, 4]),
            ("exposureScore in (10, null)", [2, 4]),
            ("healthStatus in ('Inactive', 'ImpairedCommunication')", [2, 4, 6]),
            ("lastSeen gt 2024-03-01T00:00:00Z", [5, 6]),
            ("lastSeen lt 2024-01-01T00:00:00Z", [4]),
            ("lastSeen ge 2024-05-20T16:45:00+02:00", [5]),
            ("lastSeen eq 2024-05-20T16:45:00+02:00", [5]),
            ("firstSeen ge 2023-01-01T00:00:00Z", [4, 5, 6]),
            ("year(firstSeen) eq 2023", [4, 5]),
            ("month(firstSeen) eq 6 or day(firstSeen) eq 4", [2, 5]),
            ("capabilities has Default.MachineCapability'Scan'", [1, 2, 3]),
            ("capabilities has 'Collect'", [3, 5]),
            ("rbacGroupName eq 'Finance'", [1, 2]),
            ("computerDnsName gt 'delta'", [3, 4, 5, 6]),
            ("computerDnsName le 'beta.contoso.com'", [1, 2]),
            ("round(riskScore) eq 80", [3]),
            ("floor(riskScore) eq 99", [5]),
            ("ceiling(riskScore) eq 11", [1]),
            ("computerDnsName eq 'zeta.local' and (riskScore gt 100 or exposureScore eq 42)", [6]),
            ("computerDnsName eq 'it''s'", []),
            ("1 eq 1", [1, 2, 3, 4, 5, 6]),
        ];
        foreach (var path in (string[])[ODataTestApp.MinimalApi, ODataTestApp.Controller])
        {
            foreach (var (filter, ids) in cases)
            {
                data.Add(path, filter, ids);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Filter_ReturnsMatchingEntities_ForEachOperator(string path, string filter, int[] ids)
    {
        var response = await fixture.App.GetAsync(path, ODataTestApp.Encode("$filter=" + filter + "&$orderby=id"));

        Assert.Equal(ids, await ODataTestApp.ReadIdsAsync(response));
    }

    public static TheoryData<string, string, int[]> Orderings()
    {
        var data = new TheoryData<string, string, int[]>();
        (string Query, int[] Ids)[] cases =
        [
            ("", [1, 2, 3, 4, 5, 6]),
            ("$orderby=riskScore desc", [5, 3, 2, 6, 1, 4]),
            ("$orderby=riskScore asc", [4, 1, 6, 2, 3, 5]),
            ("$orderby=rbacGroupName,riskScore desc", [3, 2, 1, 5, 4, 6]),
            ("$orderby=healthStatus desc,id desc", [4, 6, 2, 5, 3, 1]),
            ("$orderby=lastSeen", [4, 1, 2, 3, 6, 5]),
            ("$orderby=length(computerDnsName),id", [6, 2, 1, 3, 4, 5]),
            ("$orderby=id&$top=2", [1, 2]),
            ("$orderby=id&$skip=4", [5, 6]),
            ("$orderby=id&$skip=1&$top=2", [2, 3]),
            ("$orderby=id&$top=0", []),
            ("$orderby=id&$skip=100", []),
            ("$Filter=id eq 2", [2]),
        ];
        foreach (var path in (string[])[ODataTestApp.MinimalApi, ODataTestApp.Controller])
        {
            foreach (var (query, ids) in cases)
            {
                data.Add(path, query, ids);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Orderings))]
    public async Task OrderByTopSkip_ReturnEntitiesInOrder(string path, string query, int[] ids)
    {
        var response = await fixture.App.GetAsync(path, ODataTestApp.Encode(query));

        Assert.Equal(ids, await ODataTestApp.ReadIdsAsync(response));
    }

    [Theory]
    [InlineData(ODataTestApp.MinimalApi)]
    [InlineData(ODataTestApp.Controller)]
    public async Task Count_WritesCountOfAllMatches_WhenPaged(string path)
    {
        var response = await fixture.App.GetAsync(path, ODataTestApp.Encode("$count=true&$filter=healthStatus eq 'Active'&$orderby=id&$top=1"));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/json; odata.metadata=minimal; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("4.0", Assert.Single(response.Headers.GetValues("OData-Version")));
        Assert.Equal(
            """{"@odata.count":3,"value":[{"id":1,"computerDnsName":"alpha.contoso.com","osPlatform":"Windows10","healthStatus":"Active","riskScore":10.5,"exposureScore":30,"lastSeen":"2024-01-10T08:00:00+00:00","firstSeen":"2020-01-01T00:00:00","isAadJoined":true,"rbacGroupName":"Finance","capabilities":"Isolate, Scan"}]}""",
            await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(ODataTestApp.MinimalApi, "$count=false&$filter=id eq 4&$select=id")]
    [InlineData(ODataTestApp.Controller, "$filter=id eq 4&$select=id")]
    public async Task Count_IsLeftOut_WhenNotAsked(string path, string query)
    {
        var response = await fixture.App.GetAsync(path, ODataTestApp.Encode(query));

        Assert.Equal("""{"value":[{"id":4}]}""", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(ODataTestApp.MinimalApi, "$select=computerDnsName,id&$filter=id le 2&$orderby=id",
        """{"value":[{"id":1,"computerDnsName":"alpha.contoso.com"},{"id":2,"computerDnsName":"beta.contoso.com"}]}""")]
    [InlineData(ODataTestApp.Controller, "$select=rbacGroupName,healthStatus,lastSeen&$filter=id eq 4",
        """{"value":[{"healthStatus":"ImpairedCommunication","lastSeen":"2023-12-31T23:59:59+00:00","rbacGroupName":"IT"}]}""")]
    [InlineData(ODataTestApp.MinimalApi, "$select=exposureScore,osPlatform&$filter=id eq 2 or id eq 4&$orderby=id desc&$count=true",
        """{"@odata.count":2,"value":[{"osPlatform":null,"exposureScore":10},{"osPlatform":"Windows11","exposureScore":null}]}""")]
    // The package README's example, word for word.
    [InlineData(ODataTestApp.MinimalApi, "$filter=healthStatus eq 'Active' and riskScore gt 50&$orderby=lastSeen desc&$top=2&$select=id,computerDnsName&$count=true",
        """{"@odata.count":2,"value":[{"id":5,"computerDnsName":"epsilon.contoso.com"},{"id":3,"computerDnsName":"gamma.fabrikam.com"}]}""")]
    public async Task Select_ProjectsTheNamedProperties(string path, string query, string expected)
    {
        var response = await fixture.App.GetAsync(path, ODataTestApp.Encode(query));

        Assert.Equal(expected, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Select_Wildcard_ProjectsEveryQueryableProperty()
    {
        var response = await fixture.App.GetAsync(ODataTestApp.MinimalApi, ODataTestApp.Encode("$select=*&$filter=id eq 6"));

        Assert.Equal(
            """{"value":[{"id":6,"computerDnsName":"zeta.local","osPlatform":"macOS","healthStatus":"Inactive","riskScore":42,"exposureScore":42,"lastSeen":"2024-04-01T10:00:00+00:00","firstSeen":"2024-01-01T00:00:00","isAadJoined":false,"rbacGroupName":"Sales","capabilities":"Isolate"}]}""",
            await response.Content.ReadAsStringAsync());
    }
}
