using System.Net;
using System.Text.Json;
using Defender.ErrorMiddleware.OData.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware.OData.Tests;

/// <summary>
/// Queries as a Defender client sends them, run by the database: the right entities, and the filter, order and page in the
/// SQL EF Core sent (captured by a DbCommandInterceptor), with the literals as parameters.
/// </summary>
public sealed class QueryTests(ODataAppFixture fixture) : IClassFixture<ODataAppFixture>
{
    public static TheoryData<string, int[], string> Queries() => new()
    {
        // Comparisons, on strings, numbers, enums sent as strings, nulls.
        { "$filter=computerDnsName eq 'alpha.contoso.com'", [1], "WHERE \"m\".\"ComputerDnsName\" = @" },
        { "$filter=osPlatform ne 'Windows10'", [2, 3, 4, 6], "WHERE \"m\".\"OsPlatform\" <> @" },
        { "$filter=riskScore gt 55", [3, 5], "WHERE \"m\".\"RiskScore\" > @" },
        { "$filter=riskScore ge 55", [2, 3, 5], "WHERE \"m\".\"RiskScore\" >= @" },
        { "$filter=riskScore lt 10.5", [4], "WHERE \"m\".\"RiskScore\" < @" },
        { "$filter=riskScore le 10.5", [1, 4], "WHERE \"m\".\"RiskScore\" <= @" },
        { "$filter=exposureScore eq null", [2], "WHERE \"m\".\"ExposureScore\" IS NULL" },
        { "$filter=healthStatus eq 'Inactive'", [2, 6], "WHERE \"m\".\"HealthStatus\" = 1" },
        { "$filter=healthStatus eq Default.HealthStatus'Inactive'", [2, 6], "WHERE \"m\".\"HealthStatus\" = 1" },
        { "$filter=capabilities has 'Scan'", [1, 2, 3], "\"m\".\"Capabilities\" & @" },
        // Logic.
        { "$filter=healthStatus eq 'Active' and riskScore gt 50", [3, 5], "WHERE \"m\".\"HealthStatus\" = 0 AND \"m\".\"RiskScore\" > @" },
        { "$filter=id eq 1 or id eq 6", [1, 6], " OR " },
        { "$filter=not (healthStatus eq 'Active')", [2, 4, 6], "WHERE \"m\".\"HealthStatus\" <> 0" },
        { "$filter=id in (1,3)", [1, 3], "WHERE \"m\".\"Id\" IN (@" },
        { "$filter=osPlatform in ('Linux','macOS')", [3, 6], "WHERE \"m\".\"OsPlatform\" IN (@" },
        // String functions.
        { "$filter=startswith(computerDnsName,'gamma')", [3], "\"m\".\"ComputerDnsName\" LIKE @" },
        { "$filter=contains(computerDnsName,'contoso')", [1, 2, 5], "instr(\"m\".\"ComputerDnsName\", @" },
        { "$filter=endswith(computerDnsName,'.local')", [6], "\"m\".\"ComputerDnsName\" LIKE @" },
        { "$filter=tolower(osPlatform) eq 'linux'", [3], "lower(\"m\".\"OsPlatform\") = @" },
        // Date-times as Defender's documentation writes them (DateTimeOffset stored as a sortable number on SQLite).
        { "$filter=lastSeen gt 2024-02-01Z", [2, 3, 5, 6], "WHERE \"m\".\"LastSeen\" > @" },
        { "$filter=lastSeen gt 2024-02-01T00:00:00Z", [2, 3, 5, 6], "WHERE \"m\".\"LastSeen\" > @" },
        { "$filter=lastSeen ge 2024-05-20T14:45:00+00:00", [5], "WHERE \"m\".\"LastSeen\" >= @" },
        { "$filter=lastSeen lt 2024-01-10T08:00:00.000Z", [4], "WHERE \"m\".\"LastSeen\" < @" },
        // Dates against a DateTime column.
        { "$filter=firstSeen ge 2023-01-01", [4, 5, 6], "strftime(" },
        { "$filter=firstSeen lt 2021-01-01T00:00:00Z", [1], "WHERE \"m\".\"FirstSeen\" < @" },
        // any/all over a collection of strings (a JSON column: json_each).
        { "$filter=machineTags/any(t: t eq 'vip')", [1, 3, 5], "json_each(\"m\".\"MachineTags\")" },
        { "$filter=machineTags/all(t: t ne 'vip')", [2, 4, 6], "json_each(\"m\".\"MachineTags\")" },
        { "$filter=machineTags/any()", [1, 2, 3, 5, 6], "json_array_length(\"m\".\"MachineTags\") > 0" },
        // Order and page.
        { "$orderby=lastSeen desc", [5, 6, 3, 2, 1, 4], "ORDER BY \"m\".\"LastSeen\" DESC, \"m\".\"Id\"" },
        { "$orderby=healthStatus,riskScore desc", [5, 3, 1, 2, 6, 4], "ORDER BY \"m\".\"HealthStatus\", \"m\".\"RiskScore\" DESC, \"m\".\"Id\"" },
        { "$orderby=riskScore&$top=2", [4, 1], "LIMIT min(@" },
        { "$orderby=riskScore&$skip=4", [3, 5], "OFFSET @" },
        { "$orderby=riskScore&$skip=1&$top=2", [1, 6], "OFFSET @" },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Query_ReturnsTheMatchingEntities_WithTheQueryInTheSql(string query, int[] ids, string sql)
    {
        var response = await fixture.App.GetAsync(ODataTestApp.MinimalResult, ODataTestApp.Encode(query));

        Assert.Equal(ids, await ODataTestApp.ReadIdsAsync(response));
        var command = Assert.Single(fixture.App.Sql.Commands);
        Assert.Contains(sql, command, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Query_ReturnsTheSameEntities_InEveryUsage(string query, int[] ids, string sql)
    {
        _ = sql;
        foreach (var path in ODataTestApp.ListUsages)
        {
            var response = await fixture.App.GetAsync(path, ODataTestApp.Encode(query));

            var actual = await ODataTestApp.ReadIdsAsync(response);
            Assert.True(ids.AsEnumerable().SequenceEqual(actual), path + ": " + string.Join(",", actual));
        }
    }

    [Fact]
    public async Task Query_SendsLiteralsAsParameters_SoEfCoreCachesOnePlan()
    {
        await fixture.App.GetAsync(ODataTestApp.MinimalResult, ODataTestApp.Encode("$filter=computerDnsName eq 'it''s' and riskScore gt 12.5"));

        var command = Assert.Single(fixture.App.Sql.Commands);
        Assert.DoesNotContain("it's", command, StringComparison.Ordinal);
        Assert.DoesNotContain("it''s", command, StringComparison.Ordinal);
        Assert.DoesNotContain("12.5", command, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Usages))]
    public async Task Query_IsCompiledOnce_WhateverTheLiterals(string path)
    {
        // Constant parameterization (the library's EnableConstantParameterization): one query shape, one EF Core plan.
        await fixture.App.GetAsync(path, ODataTestApp.Encode("$filter=healthStatus eq 'Active' and startswith(computerDnsName,'z')&$orderby=lastSeen desc&$top=99"));
        var before = fixture.App.Sql.Compilations;
        for (var i = 0; i < 4; i++)
        {
            var response = await fixture.App.GetAsync(path, ODataTestApp.Encode(
                "$filter=healthStatus eq 'Active' and startswith(computerDnsName,'" + (char)('a' + i) + "')&$orderby=lastSeen desc&$top=" + (100 + i)));
            Assert.Equal(200, (int)response.StatusCode);
        }

        Assert.Equal(before, fixture.App.Sql.Compilations);
    }

    public static TheoryData<string> Usages() => [.. ODataTestApp.ListUsages];

    [Fact]
    public async Task Select_ReadsOnlyTheSelectedColumns_AndAnswersWithTheJsonNames()
    {
        var response = await fixture.App.GetAsync(ODataTestApp.MinimalResult, ODataTestApp.Encode("$filter=id eq 1&$select=computerDnsName,rbacGroupName,healthStatus"));

        Assert.Equal(
            """{"@odata.context":"http://localhost/api/$metadata#Machines","value":[{"computerDnsName":"alpha.contoso.com","rbacGroupName":"Finance","healthStatus":"Active"}]}""",
            await response.Content.ReadAsStringAsync());
        var command = Assert.Single(fixture.App.Sql.Commands);
        // The key is read too: the library orders by it so that pages are stable.
        Assert.StartsWith("SELECT \"m\".\"ComputerDnsName\", \"m\".\"GroupName\", \"m\".\"HealthStatus\", \"m\".\"Id\"\nFROM", command, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ODataTestApp.MvcEnableQuery)]
    [InlineData(ODataTestApp.MvcQueryOptions)]
    [InlineData(ODataTestApp.MinimalApplyTo)]
    [InlineData(ODataTestApp.MinimalFilter)]
    public async Task Select_AnswersWithTheJsonNames_InEveryJsonUsage(string path)
    {
        var response = await fixture.App.GetAsync(path, ODataTestApp.Encode("$filter=id eq 1&$select=computerDnsName,rbacGroupName"));

        Assert.Equal("""[{"computerDnsName":"alpha.contoso.com","rbacGroupName":"Finance"}]""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Count_AddsTheNumberOfMatches_BeforePaging()
    {
        var response = await fixture.App.GetAsync(ODataTestApp.MinimalResult, ODataTestApp.Encode("$filter=healthStatus eq 'Active'&$count=true&$top=1&$select=id"));

        Assert.Equal("""{"@odata.context":"http://localhost/api/$metadata#Machines","@odata.count":3,"value":[{"id":1}]}""",
            await response.Content.ReadAsStringAsync());
        Assert.Contains(fixture.App.Sql.Commands, c => c.StartsWith("SELECT COUNT(*)", StringComparison.Ordinal) && c.Contains("\"m\".\"HealthStatus\" = 0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Expand_IncludesTheNavigationProperty_InOneQuery()
    {
        var response = await fixture.App.GetAsync(ODataTestApp.MinimalResult, ODataTestApp.Encode("$filter=id eq 1&$select=id&$expand=alerts($select=title;$orderby=id desc)"));

        Assert.Equal("""{"@odata.context":"http://localhost/api/$metadata#Machines","value":[{"alerts":[{"title":"Port scan"},{"title":"Suspicious PowerShell"}],"id":1}]}""",
            await response.Content.ReadAsStringAsync());
        Assert.Contains("LEFT JOIN", Assert.Single(fixture.App.Sql.Commands), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Response_HasTheODataHeaders()
    {
        var response = await fixture.App.GetAsync(ODataTestApp.MinimalResult, "$top=1&$select=id");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/json; odata.metadata=minimal; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("4.0", Assert.Single(response.Headers.GetValues("OData-Version")));
    }

    [Fact]
    public async Task ODataRouting_AnswersTheEntitySet_TheKeyAndTheCount()
    {
        var list = await fixture.App.GetAsync(ODataTestApp.ODataRouted, ODataTestApp.Encode("$filter=healthStatus eq 'Active'&$select=id&$count=true"));
        Assert.Equal("""{"@odata.context":"http://localhost/odata/$metadata#Machines(id)","@odata.count":3,"value":[{"id":1},{"id":3},{"id":5}]}""",
            await list.Content.ReadAsStringAsync());

        var key = await fixture.App.GetAsync(ODataTestApp.ODataKey, "$select=id,computerDnsName");
        Assert.Equal("""{"@odata.context":"http://localhost/odata/$metadata#Machines(id,computerDnsName)/$entity","id":1,"computerDnsName":"alpha.contoso.com"}""",
            await key.Content.ReadAsStringAsync());

        var count = await fixture.App.GetAsync(ODataTestApp.ODataCount, ODataTestApp.Encode("$filter=healthStatus eq 'Active'"));
        Assert.Equal("3", await count.Content.ReadAsStringAsync());

        var metadata = await fixture.App.GetAsync("/odata/$metadata", "");
        Assert.Equal(200, (int)metadata.StatusCode);
        Assert.Contains("<EntityType Name=\"Machine\">", await metadata.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ODataRouting_UnknownKey_IsNotFoundEnvelope()
    {
        var response = await fixture.App.GetAsync("/odata/Machines(999)", "");

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("""{"error":{"code":"NotFound","message":"<m>","target":"<guid>"}}""".Replace("<m>", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal),
            body.Replace(ODataTestApp.TargetOf(body), "<guid>", StringComparison.Ordinal));
    }
}

/// <summary>Server-driven paging: a page of the configured size, then @odata.nextLink, followed to the end.</summary>
public sealed class PagingTests
{
    [Theory]
    [InlineData(ODataTestApp.MinimalResult)]
    [InlineData(ODataTestApp.ODataRouted)]
    public async Task NextLink_LeadsThroughEveryPage_InOrder(string path)
    {
        await using var app = await ODataTestApp.StartAsync(configureServices: s => s.AddDefenderOData(o => o.PageSize = 4));
        var ids = new List<int>();
        var links = new List<string>();
        var url = path + "?$orderby=riskScore desc&$select=id";
        for (var page = 0; page < 10; page++)
        {
            var response = await app.Client.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, body);
            using var document = JsonDocument.Parse(body);
            var value = document.RootElement.GetProperty("value");
            Assert.True(value.GetArrayLength() <= 4);
            ids.AddRange(value.EnumerateArray().Select(e => e.GetProperty("id").GetInt32()));
            if (!document.RootElement.TryGetProperty("@odata.nextLink", out var next))
            {
                break;
            }

            links.Add(next.GetString()!);
            url = next.GetString()!;
        }

        Assert.Equal([5, 3, 2, 6, 1, 4], ids);
        Assert.Equal("http://localhost" + path + "?$orderby=riskScore%20desc&$select=id&$skip=4", Assert.Single(links));
    }

    [Theory]
    [InlineData("$orderby=riskScore desc&$select=id", new[] { 5, 3, 2, 6, 1, 4 })]
    [InlineData("$orderby=riskScore desc&$top=5", new[] { 5, 3, 2, 6, 1 })]
    public async Task NextLink_EndsAPageAtTheByteBudget_AndLeadsThroughTheRest(string query, int[] expected)
    {
        // A budget below one page of these machines: every page stops after the entity that crosses it.
        const int Budget = 90;
        await using var app = await ODataTestApp.StartAsync(configureServices: s => s.AddDefenderOData(o => o.MaxPageBytes = Budget));
        var ids = new List<int>();
        var pages = 0;
        var url = ODataTestApp.MinimalResult + "?" + query;
        while (pages < 20)
        {
            var response = await app.Client.GetAsync(url);
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            pages++;
            using var document = JsonDocument.Parse(body);
            var value = document.RootElement.GetProperty("value");
            Assert.True(value.GetArrayLength() >= 1);
            var last = value[value.GetArrayLength() - 1].GetRawText().Length;
            Assert.True(body.Length - last < Budget + 120, $"page {pages} has {body.Length} bytes");
            ids.AddRange(value.EnumerateArray().Select(e => e.GetProperty("id").GetInt32()));
            if (!document.RootElement.TryGetProperty("@odata.nextLink", out var next))
            {
                break;
            }

            url = next.GetString()!;
        }

        Assert.Equal(expected, ids);
        Assert.True(pages > 1, "the budget should have split the list");
    }

    [Fact]
    public async Task NextLink_KeepsTheRestOfTop()
    {
        await using var app = await ODataTestApp.StartAsync(configureServices: s => s.AddDefenderOData(o => o.PageSize = 2));

        var response = await app.GetAsync(ODataTestApp.MinimalResult, "$top=5&$select=id");

        Assert.Equal(
            """{"@odata.context":"http://localhost/api/$metadata#Machines","value":[{"id":1},{"id":2}],"@odata.nextLink":"http://localhost/api/machines?$top=3&$select=id&$skip=2"}""",
            await response.Content.ReadAsStringAsync());
    }
}
