using System.Net;
using Defender.SampleApi.Data;
using Defender.SampleApi.Tests.Infrastructure;

namespace Defender.SampleApi.Tests;

/// <summary>
/// GET /api/machines with OData query options over the seeded fleet (a dedicated server, so no other test's isolation
/// changes what a query returns).
/// </summary>
public sealed class ODataQueryTests(ODataQueryTests.Factory factory) : IClassFixture<ODataQueryTests.Factory>
{
    private readonly HttpClient _reader = factory.CreateClient("dev-reader");

    public sealed class Factory : SampleApiFactory;

    [Theory]
    [InlineData("$filter=osPlatform eq 'Linux'&$select=id,computerDnsName&$count=true&$orderby=computerDnsName",
        $$"""{"@odata.context":"http://localhost/api/$metadata#Machines","@odata.count":2,"value":[{"id":"{{SeedData.LinuxId}}","computerDnsName":"lnx-build-01.contoso.local"},{"id":"{{SeedData.IsolatedLinuxId}}","computerDnsName":"lnx-db-02.contoso.local"}]}""")]
    [InlineData("$filter=isolationState eq 'Isolated'&$select=computerDnsName&$orderby=computerDnsName desc",
        """{"@odata.context":"http://localhost/api/$metadata#Machines","value":[{"computerDnsName":"ws-eng-003.contoso.local"},{"computerDnsName":"lnx-db-02.contoso.local"}]}""")]
    [InlineData("$filter=contains(computerDnsName,'mac') and healthStatus eq 'Inactive'&$select=computerDnsName,riskScore",
        """{"@odata.context":"http://localhost/api/$metadata#Machines","value":[{"computerDnsName":"mac-exec-02.contoso.local","riskScore":"High"}]}""")]
    [InlineData("$filter=lastSeen lt 2025-05-25T00:00:00Z&$select=computerDnsName,lastSeen&$orderby=lastSeen",
        """{"@odata.context":"http://localhost/api/$metadata#Machines","value":[{"computerDnsName":"mac-exec-02.contoso.local","lastSeen":"2025-05-13T09:00:00Z"},{"computerDnsName":"srv-web-02.contoso.local","lastSeen":"2025-05-24T09:00:00Z"}]}""")]
    [InlineData("$orderby=computerDnsName&$skip=2&$top=2&$select=computerDnsName",
        """{"@odata.context":"http://localhost/api/$metadata#Machines","value":[{"computerDnsName":"mac-design-01.contoso.local"},{"computerDnsName":"mac-exec-02.contoso.local"}]}""")]
    [InlineData("$count=true&$top=0", """{"@odata.context":"http://localhost/api/$metadata#Machines","@odata.count":14,"value":[]}""")]
    [InlineData("$filter=startswith(agentVersion,'10.3')&$select=id,osVersion",
        $$"""{"@odata.context":"http://localhost/api/$metadata#Machines","value":[{"id":"{{SeedData.LegacyAgentId}}","osVersion":"1709"}]}""")]
    public async Task ListMachines_AppliesTheQueryInTheDatabase_WhenTheQueryIsValid(string query, string expected)
    {
        var response = await _reader.GetAsync("/api/machines?" + query);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("$filter=nosuch eq 1", "Could not find a property named 'nosuch' on type 'Default.Machine'.")]
    [InlineData("$orderby=nosuch", "Could not find a property named 'nosuch' on type 'Default.Machine'.")]
    [InlineData("$top=-1", "Invalid value '-1' for $top query option found. The $top query option requires a non-negative integer value.")]
    [InlineData("$top=abc", "Invalid value 'abc' for $top query option found. The $top query option requires a non-negative integer value.")]
    [InlineData("$top=20000", "The limit of '10000' for Top query has been exceeded. The value from the incoming request is '20000'.")]
    [InlineData("$foo=1", "Custom query option '$foo' that starts with '$' is not supported.")]
    [InlineData("$filter=healthStatus%20eq%20'Active'%20and%20", "Expression expected at position 29 in 'healthStatus eq 'Active' and '.")]
    public async Task ListMachines_ReturnsODataError_WhenTheQueryIsInvalid(string query, string reason)
    {
        var response = await _reader.GetAsync("/api/machines?" + query);

        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "ODataError", "Invalid OData URI query: " + reason);
    }

    [Fact]
    public async Task ListIndicators_AppliesTheQuery_WhenTheQueryIsValid()
    {
        var response = await _reader.GetAsync("/api/indicators?$filter=indicatorType eq 'IpAddress'&$select=indicatorValue,action");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"@odata.context":"http://localhost/api/$metadata#Indicators","value":[{"indicatorValue":"203.0.113.66","action":"Audit"}]}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ListIndicators_ReturnsODataError_WhenTheQueryIsInvalid()
    {
        var response = await _reader.GetAsync("/api/indicators?$filter=severity eq");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("ODataError", response.Headers.GetValues("x-ms-error-code").Single());
    }
}
