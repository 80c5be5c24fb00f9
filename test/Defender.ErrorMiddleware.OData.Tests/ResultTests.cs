using Defender.ErrorMiddleware.OData.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace Defender.ErrorMiddleware.OData.Tests;

public sealed class ResultTests
{
    [Fact]
    public async Task ToResult_WritesContext_WhenGiven()
    {
        await using var app = await ODataTestApp.StartAsync(configureEndpoints: a => a.MapGet("/ctx",
            (DefenderODataQuery<Machine> query, MachineDb db) => query.ToResult(db.Machines, "https://localhost/api/$metadata#Machines")));

        var response = await app.GetAsync("/ctx", ODataTestApp.Encode("$select=id&$filter=id eq 2&$count=true"));

        Assert.Equal("""{"@odata.context":"https://localhost/api/$metadata#Machines","@odata.count":1,"value":[{"id":2}]}""",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ToResult_RunsInMemory_WhenTheSourceIsNotEfCore()
    {
        await using var app = await ODataTestApp.StartAsync(configureEndpoints: a => a.MapGet("/memory",
            (DefenderODataQuery<Machine> query) => query.ToResult(MachineDb.Seed().AsQueryable())));

        var response = await app.GetAsync("/memory", ODataTestApp.Encode("$select=id&$filter=riskScore gt 50&$orderby=id desc&$count=true"));

        Assert.Equal("""{"@odata.count":3,"value":[{"id":5},{"id":3},{"id":2}]}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ApplyTo_FiltersOrdersAndPages_ForTheApplicationToRun()
    {
        await using var app = await ODataTestApp.StartAsync(configureEndpoints: a => a.MapGet("/ids",
            async (DefenderODataQuery<Machine> query, MachineDb db) =>
                Results.Json(await query.ApplyTo(db.Machines).Select(m => m.Id).ToListAsync())));

        var response = await app.GetAsync("/ids", ODataTestApp.Encode("$filter=contains(computerDnsName,'a')&$orderby=riskScore desc&$skip=1&$top=2"));

        Assert.Equal("[2,6]", await response.Content.ReadAsStringAsync());
    }
}
