using System.Net;
using Defender.SampleApi.Data;
using Defender.SampleApi.Tests.Infrastructure;

namespace Defender.SampleApi.Tests;

public sealed class AuthenticationTests(SampleApiFactory factory) : IClassFixture<SampleApiFactory>
{
    [Fact]
    public async Task GetMachine_ReturnsUnauthorizedWithBearerChallenge_WhenNoTokenIsSent()
    {
        var response = await factory.CreateClient(token: null).GetAsync($"/api/machines/{SeedData.MacId}");

        await Envelope.AssertAsync(response, HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized");
        Assert.Equal(["Bearer"], response.Headers.GetValues("WWW-Authenticate"));
    }

    [Fact]
    public async Task GetMachine_ReturnsUnauthorizedWithInvalidTokenChallenge_WhenTheTokenIsUnknown()
    {
        var response = await factory.CreateClient("dev-nobody").GetAsync($"/api/machines/{SeedData.MacId}");

        await Envelope.AssertAsync(response, HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized");
        Assert.Equal(["Bearer error=\"invalid_token\""], response.Headers.GetValues("WWW-Authenticate"));
    }

    [Fact]
    public async Task GetMachine_ReturnsUnauthorized_WhenTheTokenHasTheWrongCase()
    {
        var response = await factory.CreateClient("DEV-ADMIN").GetAsync($"/api/machines/{SeedData.MacId}");

        await Envelope.AssertAsync(response, HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized");
    }

    [Theory]
    [InlineData("isolate")]
    [InlineData("unisolate")]
    [InlineData("runliveresponse")]
    public async Task MachineAction_ReturnsForbidden_WhenTheTokenMayOnlyRead(string action)
    {
        var response = await factory.CreateClient("dev-reader").PostJsonAsync($"/api/machines/{SeedData.LabWindowsId}/{action}",
            """{"Comment":"x","Commands":[{"type":"RunScript"}]}""");

        await Envelope.AssertAsync(response, HttpStatusCode.Forbidden, "Forbidden", "Forbidden");
        Assert.False(response.Headers.Contains("WWW-Authenticate"));
    }

    [Theory]
    [InlineData("dev-admin", SeedData.MacId)]
    [InlineData("dev-reader", SeedData.MacId)]
    [InlineData("dev-nolive", SeedData.FabrikamWindowsId)]
    public async Task GetMachine_Returns200_ForEveryDefaultToken(string token, string machineId)
    {
        var response = await factory.CreateClient(token).GetAsync($"/api/machines/{machineId}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
