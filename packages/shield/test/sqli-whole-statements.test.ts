import { sqliDetector } from "../src/detectors/sqli/index.js";
import { describeRules, scoreOf } from "./helpers.js";

// A parameter holding a complete statement is a test of whether it gets run; prose that opens with the
// same verb stops being SQL at the next word.
describeRules("sqli: whole statements sent as a value", (value) => scoreOf(sqliDetector, value), {
  "INSERT / REPLACE INTO … VALUES, SELECT or SET": {
    attacks: [
      "INSERT INTO users (name) VALUES ('x')",
      "insert into users(name,role) values('bob','admin')",
      "INSERT INTO users (name, age) VALUES ('bob', -1)",
      "insert into users values ('a','b'),('c','d')",
      "INSERT INTO t (a) SELECT password FROM users",
      "INSERT INTO `users` SET role = 'admin'",
      "REPLACE INTO users (id, name) VALUES (1, 'x')",
      "INSERT INTO admins (user) VALUES (@u)",
    ],
    benign: [
      "Insert into the slot the values you want",
      "insert into cart",
      "Replace into the box",
      "our values (honesty, care)",
      "Our company values (respect, care) matter",
      "INSERT INTO t VALUES (honesty, care)",
      "Replace into the values (honesty, care)",
    ],
  },
  "UPDATE … SET column = expression [WHERE condition]": {
    attacks: [
      "UPDATE users SET role='admin' WHERE id=5",
      "update users set password = 'x'",
      "UPDATE users SET a=1, b='2'",
      "update accounts set balance = balance + 1000 where id = 1",
      "UPDATE users SET is_admin=1 WHERE username='bob'--",
      "UPDATE users SET role='admin';",
    ],
    benign: [
      "please update my address set to the new one",
      "update users: set your role in settings",
      "update status set to done",
      "Update: set the table for 4 people",
      "update my status set to away",
      "update users set role = admin later today",
    ],
  },
  "DELETE FROM … WHERE / DROP / TRUNCATE": {
    attacks: [
      "DELETE FROM users WHERE id=1",
      "delete from orders where total > 0",
      "DROP TABLE users",
      "DROP TABLE IF EXISTS users, logs CASCADE",
      "drop database shop;",
      "TRUNCATE TABLE users",
      "truncate table audit_log -- bye",
    ],
    benign: [
      "delete from cart",
      "Delete from my list please",
      "drop me a line",
      "drop table mysql",
      "drop table syntax",
      "truncate table text at 50 chars",
      "drop table",
    ],
  },
  "CREATE TABLE with columns, CREATE USER with a password": {
    attacks: [
      "CREATE TABLE t (id INT, name VARCHAR(20))",
      "create table if not exists t (id int)",
      "CREATE USER hacker IDENTIFIED BY 'pw'",
      "CREATE USER 'x'@'%' IDENTIFIED BY 'pw'",
      "create user evil with password 'pw'",
      "CREATE DATABASE evil;",
    ],
    benign: [
      "Create table reservations for 4",
      "create user account",
      "Create table (with 4 chairs)",
      "create user with care",
      "create database mysql",
      "CREATE DATABASE for my shop",
    ],
  },
  "GRANT / REVOKE privileges ON object TO account": {
    attacks: [
      "GRANT ALL PRIVILEGES ON *.* TO 'hacker'@'%'",
      "GRANT SELECT, INSERT ON users TO bob",
      "GRANT SELECT ON users TO public",
      "REVOKE ALL ON db.* FROM bob",
      "GRANT DBA TO scott",
    ],
    benign: [
      "grant access to Tom",
      "grant all on board to the team",
      "grant connect to the internet",
      "Grant all to Tom",
      "revoke access from Tom",
    ],
  },
  "stored procedures (already detected, kept)": {
    attacks: ["EXEC xp_cmdshell 'dir'", "EXEC sp_configure 'show advanced options', 1", "EXECUTE sp_executesql N'select 1'"],
    benign: ["execute the plan", "exec summary attached"],
  },
});
