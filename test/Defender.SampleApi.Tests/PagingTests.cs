using System.Text.Json;
using Defender.SampleApi.Tests.Infrastructure;

namespace Defender.SampleApi.Tests;

/// <summary>
/// Server-driven paging: a list longer than <c>SampleApi:Paging:PageSize</c> ends each full page with <c>@odata.nextLink</c>,
/// and following the links to the end returns every entity once, on each database.
/// </summary>
public sealed class PagingTests
{
    [Theory]
    [InlineData("/api/machines", 14)]
    [InlineData("/api/machines?$filter=osPlatform ne 'macOS'&$select=id,osPlatform", 12)]
    [InlineData("/api/machineactions", 5)]
    [InlineData("/api/indicators", 5)]
    public async Task List_PagesThroughNextLinkToTheEnd_WhenTheResultIsLongerThanAPage(string path, int total)
    {
        await using var paged = DatabaseSampleApiFactory.Create(SampleDatabaseKind.Sqlite, new Dictionary<string, string> { ["SampleApi:Paging:PageSize"] = "2" });
        await FollowAsync(paged, path, total);
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task List_PagesThroughNextLinkToTheEnd_OnEachDatabase(SampleDatabaseKind database)
    {
        await using var paged = DatabaseSampleApiFactory.Create(database, new Dictionary<string, string> { ["SampleApi:Paging:PageSize"] = "3" });
        await FollowAsync(paged, "/api/machines?$filter=onboardingStatus eq 'Onboarded'&$orderby=lastSeen desc", 13, pageSize: 3);
        await FollowAsync(paged, "/api/machineactions?$orderby=creationDateTimeUtc desc", 5, pageSize: 3);
    }

    private static async Task FollowAsync(DatabaseSampleApiFactory paged, string path, int total, int pageSize = 2)
    {
        var client = paged.CreateClient("dev-reader");

        var ids = new List<string>();
        var pages = 0;
        for (string? next = path; next is not null; pages++)
        {
            using var page = JsonDocument.Parse(await client.GetStringAsync(next));
            var items = page.RootElement.GetProperty("value").EnumerateArray().ToList();
            Assert.InRange(items.Count, 1, pageSize);
            ids.AddRange(items.Select(i => i.GetProperty("id").GetString()!));
            next = page.RootElement.TryGetProperty("@odata.nextLink", out var link) ? link.GetString() : null;
            if (next is not null)
            {
                Assert.Equal(pageSize, items.Count);
                Assert.StartsWith("http://localhost" + path.Split('?')[0] + "?", next, StringComparison.Ordinal);
            }
        }

        Assert.Equal(total, ids.Count);
        Assert.Equal(total, ids.Distinct().Count());
        Assert.Equal((total + pageSize - 1) / pageSize, pages);
    }
}
