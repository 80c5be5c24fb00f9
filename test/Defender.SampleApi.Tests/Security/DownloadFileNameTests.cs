using System.Net;
using System.Text.Json;
using Defender.SampleApi.Data;
using Defender.SampleApi.Tests.Infrastructure;

namespace Defender.SampleApi.Tests.Security;

/// <summary>
/// Finding: download file names kept bidi overrides and escape characters (<c>filename*=UTF-8''%E2%80%AEgnp.exe</c>, shown as
/// "exe.png"). Control and format characters are now stripped from the name a result is offered under.
/// </summary>
public sealed class DownloadFileNameTests
{
    [Theory]
    [InlineData("C:\\\\Users\\\\x\\\\\\u202Egnp.exe", "gnp.exe")]
    [InlineData("C:\\\\temp\\\\re\\u001b[2Jport\\u200F\\u2066.txt\\u0000", "re[2Jport.txt")]
    [InlineData("/var/log/\\u2028\\u0085\\u009b", "result")]
    public async Task DownloadedResult_IsOfferedUnderANameWithoutControlOrFormatCharacters(string path, string name)
    {
        await using var sample = new FakeTimeSampleApiFactory(new Dictionary<string, string> { ["SampleApi:RateLimits:Enabled"] = "false" });
        var admin = sample.CreateClient("dev-admin");
        var start = await admin.PostJsonAsync($"/api/machines/{SeedData.LiveResponseWindowsId}/runliveresponse",
            $$"""{"Commands":[{"type":"GetFile","params":[{"key":"Path","value":"{{path}}"}]}],"Comment":"x"}""");
        Assert.Equal(HttpStatusCode.Created, start.StatusCode);
        var id = JsonDocument.Parse(await start.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        sample.Time.Advance(TimeSpan.FromSeconds(31));
        var link = JsonDocument.Parse(await admin.GetStringAsync($"/api/machineactions/{id}/GetLiveResponseResultDownloadLink(index=0)"))
            .RootElement.GetProperty("value").GetString()!;

        var download = await sample.CreateClient(token: null).GetAsync(link);

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var disposition = download.Content.Headers.ContentDisposition!;
        Assert.Equal((name, name), (disposition.FileNameStar, disposition.FileName?.Trim('"')));
        Assert.DoesNotContain(download.Content.Headers.GetValues("Content-Disposition").Single(), c => char.IsControl(c) || c > '~');
    }
}
