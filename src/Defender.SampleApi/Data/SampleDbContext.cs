using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Defender.SampleApi.Data;

/// <summary>The sample's store: machines, their actions and the tenant's indicators, on SQLite.</summary>
internal sealed class SampleDbContext(DbContextOptions<SampleDbContext> options) : DbContext(options)
{
    public DbSet<Machine> Machines => Set<Machine>();

    public DbSet<MachineAction> MachineActions => Set<MachineAction>();

    public DbSet<Indicator> Indicators => Set<Indicator>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite keeps no DateTime kind; every time in this API is UTC, so it reads back as UTC and serializes with a 'Z'.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Machine>().HasIndex(m => m.ComputerDnsName);
        // At most one pending live response session per machine: the database enforces it, whatever the concurrency.
        modelBuilder.Entity<MachineAction>().HasIndex(a => a.MachineId)
            .IsUnique()
            .HasFilter($"\"Type\" = '{MachineActionTypes.LiveResponse}' AND \"Status\" = '{MachineActionStatuses.Pending}'")
            .HasDatabaseName("IX_MachineActions_OneActiveLiveResponse");
        modelBuilder.Entity<Indicator>().HasIndex(i => new { i.IndicatorType, i.IndicatorValue }).IsUnique();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
